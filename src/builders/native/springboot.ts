import { strToU8, strFromU8, zipSync, type Zippable } from 'fflate';
import { readZip, ZipError } from '../../untrusted/zip.js';
import path from 'node:path/posix';
import type { PlannedEntry } from './copy.js';

/** Reads a jar manifest into its main attributes (continuation lines joined). Pure. */
export function parseManifest(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let last = '';
  for (const line of text.split(/\r?\n/)) {
    if (line === '') {
      if (out.size) break; // the main section ends at the first blank line
      continue;
    }
    if (line.startsWith(' ') && last) out.set(last, out.get(last)! + line.slice(1));
    else {
      const i = line.indexOf(':');
      if (i <= 0) continue;
      last = line.slice(0, i);
      out.set(last, line.slice(i + 1).trim());
    }
  }
  return out;
}

/** A manifest as the JDK writes it: CRLF, lines of at most 72 bytes, continuations start with a space. Pure. */
export function writeManifest(attrs: ReadonlyMap<string, string>): string {
  const lines: string[] = [];
  for (const [k, v] of attrs) {
    let rest = Buffer.from(`${k}: ${v}`);
    let width = 72;
    while (rest.length > width) {
      let cut = width;
      while (cut > 0 && (rest[cut] & 0xc0) === 0x80) cut--; // never split a UTF-8 character
      lines.push((width === 72 ? '' : ' ') + rest.subarray(0, cut).toString());
      rest = rest.subarray(cut);
      width = 71;
    }
    lines.push((width === 72 ? '' : ' ') + rest.toString());
  }
  return lines.join('\r\n') + '\r\n\r\n';
}

/** layers.idx: `- "name":` then `  - "prefix-or-file"` lines, in order. Pure. */
export function parseLayersIndex(text: string): { name: string; entries: string[] }[] {
  const layers: { name: string; entries: string[] }[] = [];
  for (const line of text.split(/\r?\n/)) {
    const layer = /^- "(.+)":\s*$/.exec(line);
    const entry = /^\s+- "(.+)"\s*$/.exec(line);
    if (layer) layers.push({ name: layer[1], entries: [] });
    else if (entry && layers.length) layers[layers.length - 1].entries.push(entry[1]);
  }
  return layers;
}

/** The layer a jar entry belongs to: the first whose entry names it or a folder above it. Pure. */
export function classify(layers: readonly { name: string; entries: string[] }[], name: string): string | undefined {
  for (const l of layers) if (l.entries.some((e) => (e.endsWith('/') ? name.startsWith(e) : name === e))) return l.name;
  return undefined;
}

/**
 * The time stamped on the libraries and their folders (1970-01-01T00:00:01Z, as Jib does): they do not change with
 * the commit, so their layers keep their digests from commit to commit and are not uploaded again. The thin jar
 * (the application) carries the commit time.
 */
export const LIBRARY_MTIME = 1;

export interface BootLayer {
  name: string;
  entries: PlannedEntry[];
}

export interface JarTarget {
  /** Absolute path of the jar in the image. */
  path: string;
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
}

/** Where the libraries go: lib/ beside the jar, except beside a jar in / (lib there is the system's). Pure. */
export function libraryDir(jarPath: string): string {
  const dir = path.dirname(jarPath);
  return dir === '/' ? `/${path.basename(jarPath, '.jar')}-lib` : path.join(dir, 'lib');
}

/** Zip entry times start in 1980: the earliest day, for jars whose bytes must not change with the commit. */
const ZIP_EPOCH_S = 315532800 + 86400;

/**
 * The libraries' class path in a jar of its own beside them, a manifest and nothing else, for the thin jar's
 * Class-Path to name (the JDK follows a Class-Path jar's own Class-Path). Its bytes depend only on the libraries'
 * names, so it sits in the layer of the last library and the list is not sent again with every commit's application
 * layer (about 1 KB gzipped for 80 libraries). Undefined without libraries, or when a library has its name. Pure.
 */
export function classPathJar(libs: readonly string[], app: string): { name: string; data: Uint8Array } | undefined {
  const name = `${app}-classpath.jar`;
  if (!libs.length || libs.includes(name)) return undefined;
  const manifest = writeManifest(new Map([['Manifest-Version', '1.0'], ['Created-By', 'image-publish'], ['Class-Path', libs.join(' ')]]));
  const data = zipSync({ 'META-INF/': new Uint8Array(0), 'META-INF/MANIFEST.MF': strToU8(manifest) }, { level: 0, mtime: new Date(ZIP_EPOCH_S * 1000) });
  return { name, data };
}

/**
 * Splits a Spring Boot layered jar as `java -Djarmode=tools -jar app.jar extract --layers` does: every library to
 * lib/ in its layer, and a thin jar in place of the fat one, whose Class-Path names them (through classPathJar's
 * jar), so `java -jar` still works. Undefined when the jar has no layers index; throws ZipError when it passes a cap
 * of src/untrusted/limits.ts. Pure.
 */
export function splitBootJar(jar: Uint8Array, target: JarTarget): BootLayer[] | undefined {
  let files: Record<string, Uint8Array>;
  try {
    files = readZip(jar, (name) => name.startsWith('BOOT-INF/') || name.startsWith('META-INF/'));
  } catch (e) {
    // a jar past a cap is refused, not split; a damaged one is copied as it is, as before
    if (e instanceof ZipError && e.cap) throw new ZipError(`${target.path}: ${e.message}; set \`layers: single\` to copy it as one layer without opening it`, true);
    return undefined;
  }
  const mf = files['META-INF/MANIFEST.MF'];
  if (!mf) return undefined;
  const attrs = parseManifest(strFromU8(mf));
  const idxName = attrs.get('Spring-Boot-Layers-Index');
  const start = attrs.get('Start-Class');
  if (!idxName || !files[idxName] || !start) return undefined;
  const layers = parseLayersIndex(strFromU8(files[idxName]));
  const classesDir = attrs.get('Spring-Boot-Classes') ?? 'BOOT-INF/classes/';
  const libDir = attrs.get('Spring-Boot-Lib') ?? 'BOOT-INF/lib/';
  const cpIdx = attrs.get('Spring-Boot-Classpath-Index');
  const listed = cpIdx && files[cpIdx] ? [...strFromU8(files[cpIdx]).matchAll(/^- "(.+)"$/gm)].map((m) => m[1]) : [];
  const libs = Object.keys(files).filter((n) => n.startsWith(libDir) && n.endsWith('.jar'));
  const ordered = [...listed.filter((n) => libs.includes(n)), ...libs.filter((n) => !listed.includes(n))];
  const outDir = libraryDir(target.path);
  const jarDir = path.dirname(target.path);
  const fileEntry = (p: string, data: Uint8Array, mtime = LIBRARY_MTIME): PlannedEntry => ({ path: p.slice(1), type: 'file', mode: target.mode, uid: target.uid, gid: target.gid, mtime, data });
  const byLayer = new Map<string, PlannedEntry[]>(layers.map((l) => [l.name, []]));
  const add = (layer: string | undefined, e: PlannedEntry): void => {
    const name = layer && byLayer.has(layer) ? layer : 'application';
    if (!byLayer.has(name)) byLayer.set(name, []);
    byLayer.get(name)!.push(e);
  };
  for (const lib of ordered) add(classify(layers, lib), fileEntry(path.join(outDir, path.basename(lib)), files[lib]));
  const cp = classPathJar(ordered.map((l) => path.basename(l)), path.basename(target.path, '.jar'));
  if (cp) add(classify(layers, ordered[ordered.length - 1]), fileEntry(path.join(outDir, cp.name), cp.data));

  // the thin jar: the application's classes at the root, its META-INF, and a manifest that names the libraries
  const thin: Zippable = {};
  const out = new Map<string, string>();
  for (const [k, v] of attrs) if (!/^(Spring-Boot-|Start-Class$|Main-Class$|Class-Path$)/.test(k)) out.set(k, v);
  out.set('Main-Class', start);
  const rel = path.relative(jarDir, outDir);
  if (cp) out.set('Class-Path', `${rel}/${cp.name}`);
  else if (ordered.length) out.set('Class-Path', ordered.map((l) => `${rel}/${path.basename(l)}`).join(' '));
  // folder entries too: Spring's classpath scanning finds a package through its folder entry
  const put = (name: string, data: Uint8Array): void => {
    const parts = name.split('/');
    for (let i = 1; i < parts.length; i++) thin[`${parts.slice(0, i).join('/')}/`] ??= new Uint8Array(0);
    thin[name] = data;
  };
  put('META-INF/MANIFEST.MF', strToU8(writeManifest(out)));
  for (const name of Object.keys(files).sort()) {
    if (name.endsWith('/') || name === 'META-INF/MANIFEST.MF') continue;
    if (name.startsWith(classesDir)) put(name.slice(classesDir.length), files[name]);
    else if (name.startsWith('META-INF/')) put(name, files[name]);
  }
  const mtime = new Date(Math.max(target.mtime, ZIP_EPOCH_S) * 1000);
  // stored, not deflated: the layer's gzip then compresses across the files, where a deflated jar inside it stays
  // as large (the service fixture's application layer: 7.9 KB gzipped, against 11.0 KB with a deflated thin jar)
  const thinJar = zipSync(thin, { level: 0, mtime });
  add(classify(layers, classesDir) ?? 'application', fileEntry(target.path, thinJar, target.mtime));

  return [...byLayer].filter(([, entries]) => entries.length).map(([name, entries]) => ({ name, entries }));
}
