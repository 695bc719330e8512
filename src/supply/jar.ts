import { createHash } from 'node:crypto';
import path from 'node:path';
import { strFromU8 } from 'fflate';
import { readZip, zipBudget } from '../untrusted/zip.js';

/** A Maven artifact found in the jar. */
export interface Library {
  group?: string;
  artifact: string;
  version?: string;
  /** SHA-256 (hex) of the nested jar it came from; a shaded class tree has none. */
  sha256?: string;
  /** Where in the jar it was found: `BOOT-INF/lib/x.jar`, or the pom.properties path of a shaded artifact. */
  location: string;
  /** False for a Spring Boot library that classpath.idx leaves off the class path (e.g. the jarmode tools). */
  onClassPath?: boolean;
  /** Declared licence ids, when the jar's own CycloneDX SBOM names them. */
  licenses?: string[];
  /** 'jar': read from pom.properties; 'cyclonedx': only the jar's own SBOM names it. */
  source: 'jar' | 'cyclonedx';
}

export interface JarContents {
  /** The application by its Maven coordinates, else by the jar's file name and manifest. */
  app: Library;
  libraries: Library[];
  layout: 'spring-boot' | 'shaded' | 'plain';
  /** The path of the CycloneDX SBOM the jar carries, if any. */
  cyclonedx?: string;
}

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** `key=value` lines of a .properties file (no escapes beyond what Maven writes). Pure. */
export function parseProperties(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const l = line.trim();
    if (!l || l.startsWith('#') || l.startsWith('!')) continue;
    const m = /^([^=:\s]+)\s*[=:]\s*(.*)$/.exec(l);
    if (m) out[m[1]] = m[2];
  }
  return out;
}

function fromPom(text: string, location: string, sha?: string): Library | undefined {
  const p = parseProperties(text);
  if (!p.artifactId) return undefined;
  return { group: p.groupId, artifact: p.artifactId, version: p.version, sha256: sha, location, source: 'jar' };
}

const isPom = (name: string): boolean => /^META-INF\/maven\/[^/]+\/[^/]+\/pom\.properties$/.test(name);

/** name-1.2.3.jar -> {artifact: name, version: 1.2.3}: for a nested jar without pom.properties. Pure. */
export function fromFileName(file: string): { artifact: string; version?: string } {
  const stem = path.basename(file).replace(/\.jar$/, '');
  const m = /^(.+?)-(\d[\w.+-]*)$/.exec(stem);
  return m ? { artifact: m[1], version: m[2] } : { artifact: stem };
}

/** Entries of BOOT-INF/classpath.idx (`- "BOOT-INF/lib/x.jar"` lines). Pure. */
export function classPathIndex(text: string): string[] {
  return [...text.matchAll(/^- "([^"]+)"\s*$/gm)].map((m) => m[1]);
}

function manifestAttributes(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.replace(/\r?\n /g, '').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i).trim()] = line.slice(i + 1).trim();
  }
  return out;
}

interface CdxComponent {
  group?: string;
  name?: string;
  version?: string;
  purl?: string;
  licenses?: { license?: { id?: string; name?: string } }[];
}

/** Maven components of a CycloneDX JSON document. Pure. */
export function cyclonedxLibraries(json: string, location: string): { app?: Library; libraries: Library[] } {
  let doc: { metadata?: { component?: CdxComponent }; components?: CdxComponent[] };
  try {
    doc = JSON.parse(json) as typeof doc;
  } catch {
    return { libraries: [] };
  }
  const toLib = (c: CdxComponent): Library | undefined => {
    if (!c.name || (c.purl && !c.purl.startsWith('pkg:maven/'))) return undefined;
    const licenses = (c.licenses ?? []).map((l) => l.license?.id ?? l.license?.name).filter((x): x is string => !!x);
    return { group: c.group, artifact: c.name, version: c.version, location, source: 'cyclonedx', licenses: licenses.length ? licenses : undefined };
  };
  const app = doc.metadata?.component ? toLib(doc.metadata.component) : undefined;
  return { app, libraries: (doc.components ?? []).map(toLib).filter((l): l is Library => !!l) };
}

const key = (l: Pick<Library, 'group' | 'artifact' | 'version'>): string => `${l.group ?? ''}:${l.artifact}:${l.version ?? ''}`;

/**
 * Adds what the jar's own SBOM knows: the group of a nested jar that has no pom.properties (Spring Framework's
 * and Tomcat's jars are built without one, so only their file name tells artifact and version), licences, and
 * libraries the jar itself does not show.
 */
function mergeCyclonedx(libraries: Library[], cdx: Library[]): Library[] {
  const byKey = new Map(libraries.map((l) => [key(l), l]));
  const ungrouped = new Map(libraries.filter((l) => !l.group).map((l) => [`${l.artifact}:${l.version ?? ''}`, l]));
  const out = [...libraries];
  for (const c of cdx) {
    const known = byKey.get(key(c)) ?? ungrouped.get(`${c.artifact}:${c.version ?? ''}`);
    if (known) {
      known.group ??= c.group;
      if (c.licenses) known.licenses = c.licenses;
    } else {
      byKey.set(key(c), c);
      out.push(c);
    }
  }
  return out;
}

function orderLibraries(libs: Library[]): Library[] {
  // code-unit order, not the locale's: the same bytes on every runner
  const cmp = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);
  return [...libs].sort((a, b) => cmp(key(a), key(b)) || cmp(a.location, b.location));
}

/**
 * Reads what a jar is made of: Spring Boot's BOOT-INF/lib (with classpath.idx), a shaded jar's pom.properties,
 * and the CycloneDX SBOM under META-INF/sbom/. `fileName` names the app when the jar carries no coordinates. Throws
 * ZipError when the jar (or one nested in it) passes a cap of src/untrusted/limits.ts. Pure.
 */
export function readJar(bytes: Uint8Array, fileName: string): JarContents {
  const wanted = (name: string): boolean =>
    isPom(name) || name === 'META-INF/MANIFEST.MF' || name === 'BOOT-INF/classpath.idx' || /^META-INF\/sbom\/[^/]+\.cdx\.json$/.test(name) || /^(BOOT-INF|WEB-INF)\/lib(-provided)?\/[^/]+\.jar$/.test(name);
  // one budget for the jar and every jar nested in it: a bomb inside a library costs no more than one outside
  const budget = zipBudget();
  const files = readZip(bytes, wanted, budget);
  const names = Object.keys(files).sort();
  const manifest = files['META-INF/MANIFEST.MF'] ? manifestAttributes(strFromU8(files['META-INF/MANIFEST.MF'])) : {};
  const nested = names.filter((n) => n.endsWith('.jar'));
  const poms = names.filter(isPom).map((n) => fromPom(strFromU8(files[n]), n)).filter((l): l is Library => !!l);
  const cdxPath = names.find((n) => n.endsWith('.cdx.json'));
  const cdx = cdxPath ? cyclonedxLibraries(strFromU8(files[cdxPath]), cdxPath) : { libraries: [] };

  // the jar's own coordinates: the pom.properties its file name matches, else the only one, else the CycloneDX root, else the manifest
  const stem = path.basename(fileName).replace(/\.jar$/, '');
  const own = poms.find((p) => stem === `${p.artifact}-${p.version}` || stem === p.artifact) ?? (poms.length === 1 ? poms[0] : undefined);
  const byName = fromFileName(fileName);
  const app: Library = own ??
    (cdx.app ? { ...cdx.app, source: 'jar' } : undefined) ?? {
      artifact: manifest['Implementation-Title'] ?? manifest['Start-Class'] ?? byName.artifact,
      version: manifest['Implementation-Version'] ?? byName.version,
      location: path.basename(fileName),
      source: 'jar',
    };
  app.sha256 = sha256(bytes);

  let libraries: Library[];
  let layout: JarContents['layout'];
  if (nested.length) {
    layout = 'spring-boot';
    const idx = files['BOOT-INF/classpath.idx'] ? new Set(classPathIndex(strFromU8(files['BOOT-INF/classpath.idx']))) : undefined;
    libraries = nested.flatMap((n) => {
      const inner = readZip(files[n], isPom, budget);
      const sha = sha256(files[n]);
      const found = Object.keys(inner)
        .sort()
        .map((p) => fromPom(strFromU8(inner[p]), n, sha))
        .filter((l): l is Library => !!l);
      // a nested jar that shades others lists several poms: its own is the one its file name matches
      const stemN = path.basename(n, '.jar');
      const mine = found.find((l) => stemN === `${l.artifact}-${l.version}`) ?? (found.length === 1 ? found[0] : undefined);
      const lib: Library = mine ?? { ...fromFileName(n), sha256: sha, location: n, source: 'jar' };
      return [{ ...lib, onClassPath: idx ? idx.has(n) : undefined }];
    });
  } else {
    const shaded = poms.filter((p) => p !== own);
    layout = shaded.length ? 'shaded' : 'plain';
    libraries = shaded;
  }
  const appKey = key(app);
  return {
    app,
    libraries: orderLibraries(mergeCyclonedx(libraries, cdx.libraries).filter((l) => key(l) !== appKey)),
    layout,
    cyclonedx: cdxPath,
  };
}
