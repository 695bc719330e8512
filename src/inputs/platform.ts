import { InputError } from '../errors.js';

/** Go's GOOS/GOARCH pairs (`go tool dist list`, Go 1.23): the values the OCI image-index spec takes os and architecture from. */
const PAIRS: Record<string, readonly string[]> = {
  aix: ['ppc64'],
  android: ['386', 'amd64', 'arm', 'arm64'],
  darwin: ['amd64', 'arm64'],
  dragonfly: ['amd64'],
  freebsd: ['386', 'amd64', 'arm', 'arm64', 'riscv64'],
  illumos: ['amd64'],
  ios: ['amd64', 'arm64'],
  js: ['wasm'],
  linux: ['386', 'amd64', 'arm', 'arm64', 'loong64', 'mips', 'mips64', 'mips64le', 'mipsle', 'ppc64', 'ppc64le', 'riscv64', 's390x'],
  netbsd: ['386', 'amd64', 'arm', 'arm64'],
  openbsd: ['386', 'amd64', 'arm', 'arm64', 'ppc64', 'riscv64'],
  plan9: ['386', 'amd64', 'arm'],
  solaris: ['amd64'],
  wasip1: ['wasm'],
  windows: ['386', 'amd64', 'arm', 'arm64'],
};

const minor = (major: string, n: number): string[] => [major, ...Array.from({ length: n + 1 }, (_, i) => `${major}.${i}`)];

/** Variants the OCI spec and containerd know: ARM versions, and amd64 micro-architecture levels (GOAMD64). */
const VARIANTS: Record<string, readonly string[]> = {
  arm: ['v5', 'v6', 'v7', 'v8'],
  arm64: [...minor('v8', 9), ...minor('v9', 5)],
  amd64: ['v1', 'v2', 'v3', 'v4'],
};

/** Spellings containerd normalises (uname and Debian names), so BuildKit takes them too. */
const ALIASES: Record<string, string> = { x86_64: 'amd64', 'x86-64': 'amd64', aarch64: 'arm64', i386: '386', armhf: 'arm', armel: 'arm' };

/** Why `platform` (os/arch[/variant]) is not one the engine can build, or undefined when it is. Pure. */
export function platformProblem(platform: string): string | undefined {
  const parts = platform.split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => p === '')) return 'write it as os/architecture or os/architecture/variant, e.g. linux/amd64 or linux/arm/v7';
  const [os, rawArch, variant] = parts.map((p) => p.toLowerCase());
  const arch = ALIASES[rawArch] ?? rawArch;
  const arches = PAIRS[os];
  if (!arches) return `unknown operating system "${parts[0]}" (known: ${Object.keys(PAIRS).join(', ')})`;
  if (!arches.includes(arch)) return `${os} has no architecture "${parts[1]}" (known: ${arches.join(', ')})`;
  if (variant === undefined) return undefined;
  const known = VARIANTS[arch];
  if (!known) return `${arch} has no variants`;
  if (!known.includes(variant)) return `${arch} has no variant "${parts[2]}" (known: ${known.join(', ')})`;
  return undefined;
}

/** The `platforms` list, each checked; the first unknown one is refused, naming the input. Pure. */
export function checkPlatforms(platforms: readonly string[]): string[] {
  for (const p of platforms) {
    const why = platformProblem(p);
    if (why) throw new InputError('platforms', `"${p}" is not a platform: ${why}.`);
  }
  return [...platforms];
}

/** Node's process.arch as the OCI (GOARCH) name; arm carries its variant, as containerd's default platform does. */
const NODE_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64', loong64: 'loong64', mips: 'mips', mipsel: 'mipsle' };

/**
 * The platform a build with empty `platforms` makes: the runner's, as BuildKit's default is its own (always linux:
 * images are linux here, also on a macOS runner's Docker VM). arm64 carries no variant, as containerd normalises
 * arm64/v8; 32-bit arm names its ARM version. Pure.
 */
export function runnerPlatform(arch: string = process.arch, armVersion: string | number | undefined = (process.config.variables as Record<string, unknown>).arm_version as string | undefined): string {
  if (arch === 'arm') return `linux/arm/v${String(armVersion ?? '7')}`;
  const oci = NODE_ARCH[arch];
  if (!oci) throw new Error(`the runner's architecture ${arch} has no OCI name; set \`platforms\``);
  return `linux/${oci}`;
}
