import { createHash } from 'node:crypto';
import type { BaseImage } from './base.js';
import type { JarContents, Library } from './jar.js';

export const SPDX_PREDICATE = 'https://spdx.dev/Document';

interface SpdxPackage {
  SPDXID: string;
  name: string;
  versionInfo?: string;
  downloadLocation: 'NOASSERTION';
  filesAnalyzed: false;
  primaryPackagePurpose: string;
  checksums?: { algorithm: 'SHA256'; checksumValue: string }[];
  externalRefs?: { referenceCategory: 'PACKAGE-MANAGER'; referenceType: 'purl'; referenceLocator: string }[];
  licenseDeclared?: string;
  sourceInfo?: string;
  comment?: string;
}

interface Relationship {
  spdxElementId: string;
  relationshipType: string;
  relatedSpdxElement: string;
}

export interface SpdxDocument {
  spdxVersion: 'SPDX-2.3';
  dataLicense: 'CC0-1.0';
  SPDXID: 'SPDXRef-DOCUMENT';
  name: string;
  documentNamespace: string;
  creationInfo: { created: string; creators: string[]; comment?: string };
  packages: SpdxPackage[];
  relationships: Relationship[];
}

export interface SbomFacts {
  /** The image name (registry/repository) the document describes. */
  image: string;
  jar?: JarContents;
  base?: BaseImage;
  /** The commit time: the only time the document carries. */
  created: Date;
  /** `Tool: image-publish-<ref>`. */
  tool: string;
  /** Prefix of the documentNamespace; the rest is the content's hash. */
  namespaceBase: string;
}

/** purl of a Maven artifact, components percent-encoded as the purl spec asks. Pure. */
export function mavenPurl(l: Pick<Library, 'group' | 'artifact' | 'version'>): string | undefined {
  if (!l.group) return undefined;
  const enc = (s: string): string => encodeURIComponent(s);
  return `pkg:maven/${enc(l.group)}/${enc(l.artifact)}${l.version ? `@${enc(l.version)}` : ''}`;
}

const idPart = (s: string): string => s.replace(/[^A-Za-z0-9.-]+/g, '-');

function libraryPackage(l: Library, id: string): SpdxPackage {
  const purl = mavenPurl(l);
  const notOnPath = l.onClassPath === false ? 'not on the application class path (BOOT-INF/classpath.idx)' : undefined;
  return {
    SPDXID: id,
    name: l.group ? `${l.group}:${l.artifact}` : l.artifact,
    versionInfo: l.version,
    downloadLocation: 'NOASSERTION',
    filesAnalyzed: false,
    primaryPackagePurpose: 'LIBRARY',
    checksums: l.sha256 ? [{ algorithm: 'SHA256', checksumValue: l.sha256 }] : undefined,
    externalRefs: purl ? [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: purl }] : undefined,
    licenseDeclared: l.licenses?.length === 1 && /^[A-Za-z0-9.+-]+$/.test(l.licenses[0]) ? l.licenses[0] : undefined,
    sourceInfo: l.source === 'cyclonedx' ? `named only by the jar's CycloneDX SBOM ${l.location}` : `${l.location} in the jar`,
    comment: notOnPath,
  };
}

function basePackages(base: BaseImage): { packages: SpdxPackage[]; relationships: Relationship[] } {
  const at = base.ref.lastIndexOf(':') > base.ref.lastIndexOf('/') ? base.ref.lastIndexOf(':') : -1;
  const repo = at > 0 ? base.ref.slice(0, at) : base.ref;
  const hex = base.digest?.replace(/^sha256:/, '');
  const packages: SpdxPackage[] = [
    {
      SPDXID: 'SPDXRef-BaseImage',
      name: repo,
      versionInfo: at > 0 ? base.ref.slice(at + 1) : undefined,
      downloadLocation: 'NOASSERTION',
      filesAnalyzed: false,
      primaryPackagePurpose: 'CONTAINER',
      checksums: hex ? [{ algorithm: 'SHA256', checksumValue: hex }] : undefined,
      externalRefs: hex ? [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: `pkg:oci/${encodeURIComponent(repo.split('/').pop()!)}@sha256%3A${hex}?repository_url=${encodeURIComponent(repo)}` }] : undefined,
      comment: 'the image the Dockerfile builds on (its final FROM)',
    },
  ];
  const relationships: Relationship[] = [];
  const { java, os } = base.runtime;
  if (java) {
    packages.push({ SPDXID: 'SPDXRef-JavaRuntime', name: java.name, versionInfo: java.version, downloadLocation: 'NOASSERTION', filesAnalyzed: false, primaryPackagePurpose: 'FRAMEWORK', sourceInfo: `base image config: ${java.source}` });
    relationships.push({ spdxElementId: 'SPDXRef-BaseImage', relationshipType: 'CONTAINS', relatedSpdxElement: 'SPDXRef-JavaRuntime' });
  }
  if (os) {
    packages.push({ SPDXID: 'SPDXRef-OperatingSystem', name: os.name, versionInfo: os.version, downloadLocation: 'NOASSERTION', filesAnalyzed: false, primaryPackagePurpose: 'OPERATING-SYSTEM', sourceInfo: `base image config: ${os.source}` });
    relationships.push({ spdxElementId: 'SPDXRef-BaseImage', relationshipType: 'CONTAINS', relatedSpdxElement: 'SPDXRef-OperatingSystem' });
  }
  return { packages, relationships };
}

/** SPDX's time format: seconds, UTC, no fraction. Pure. */
export function spdxTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The SBOM of one image as an SPDX 2.3 document. Deterministic: the same facts give the same bytes (the time is
 * the commit's; the namespace is the hash of everything else). Pure.
 */
export function spdxDocument(f: SbomFacts): SpdxDocument {
  const packages: SpdxPackage[] = [
    { SPDXID: 'SPDXRef-Image', name: f.image, downloadLocation: 'NOASSERTION', filesAnalyzed: false, primaryPackagePurpose: 'CONTAINER' },
  ];
  const relationships: Relationship[] = [{ spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: 'SPDXRef-Image' }];
  if (f.jar) {
    const app = libraryPackage(f.jar.app, 'SPDXRef-Application');
    packages.push({ ...app, primaryPackagePurpose: 'APPLICATION', sourceInfo: `the jar copied into the image (${f.jar.layout} layout)` });
    relationships.push({ spdxElementId: 'SPDXRef-Image', relationshipType: 'CONTAINS', relatedSpdxElement: 'SPDXRef-Application' });
    const used = new Set<string>();
    for (const lib of f.jar.libraries) {
      let id = `SPDXRef-Maven-${idPart(`${lib.group ?? ''}-${lib.artifact}-${lib.version ?? ''}`)}`;
      for (let n = 2; used.has(id); n++) id = `${id.replace(/-\d+$/, '')}-${n}`;
      used.add(id);
      packages.push(libraryPackage(lib, id));
      relationships.push({ spdxElementId: 'SPDXRef-Application', relationshipType: lib.source === 'cyclonedx' ? 'DEPENDS_ON' : 'CONTAINS', relatedSpdxElement: id });
    }
  }
  if (f.base) {
    const b = basePackages(f.base);
    packages.push(...b.packages);
    relationships.push({ spdxElementId: 'SPDXRef-Image', relationshipType: 'DESCENDANT_OF', relatedSpdxElement: 'SPDXRef-BaseImage' }, ...b.relationships);
  }
  const clean = <T extends object>(o: T): T => JSON.parse(JSON.stringify(o)) as T; // drops undefined fields
  const body = {
    spdxVersion: 'SPDX-2.3' as const,
    dataLicense: 'CC0-1.0' as const,
    SPDXID: 'SPDXRef-DOCUMENT' as const,
    name: f.image,
    creationInfo: {
      created: spdxTime(f.created),
      creators: [f.tool],
      comment: f.jar?.cyclonedx ? `Includes what the jar's own CycloneDX SBOM (${f.jar.cyclonedx}) says.` : undefined,
    },
    packages: packages.map(clean),
    relationships,
  };
  const hash = createHash('sha256').update(JSON.stringify(clean(body))).digest('hex');
  return clean({ ...body, documentNamespace: `${f.namespaceBase.replace(/\/$/, '')}/${idPart(f.image)}-${hash}` });
}
