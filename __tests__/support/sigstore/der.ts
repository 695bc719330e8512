import { createHash, sign, type KeyObject } from 'node:crypto';

/**
 * The few DER encodings an X.509 certificate needs, and a certificate builder on them: the test suite's own CA
 * (no X.509 library: Node's crypto parses certificates but cannot make them).
 */
function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export const tlv = (tag: number, content: Buffer): Buffer => Buffer.concat([Buffer.from([tag]), length(content.length), content]);
export const seq = (...items: Buffer[]): Buffer => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]): Buffer => tlv(0x31, Buffer.concat(items));
export const octets = (b: Buffer): Buffer => tlv(0x04, b);
export const utf8 = (s: string): Buffer => tlv(0x0c, Buffer.from(s, 'utf8'));
const bool = (v: boolean): Buffer => tlv(0x01, Buffer.from([v ? 0xff : 0]));
const bits = (b: Buffer, unused = 0): Buffer => tlv(0x03, Buffer.concat([Buffer.from([unused]), b]));
/** [n] EXPLICIT (constructed) or IMPLICIT primitive. */
const ctx = (n: number, content: Buffer, constructed = true): Buffer => tlv((constructed ? 0xa0 : 0x80) | n, content);

export function integer(v: bigint | number): Buffer {
  let hex = BigInt(v).toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  let b = Buffer.from(hex, 'hex');
  if (b[0] & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
  return tlv(0x02, b);
}

export function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const out = [a * 40 + b];
  for (const n of rest) {
    const chunk: number[] = [n & 0x7f];
    for (let v = n >> 7; v > 0; v >>= 7) chunk.unshift((v & 0x7f) | 0x80);
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

function time(d: Date): Buffer {
  const s = d.toISOString().replace(/[-:T]/g, '').replace(/\.\d{3}Z$/, 'Z');
  return d.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(s.slice(2))) : tlv(0x18, Buffer.from(s));
}

const ECDSA_SHA256 = seq(oid('1.2.840.10045.4.3.2'));

export function name(parts: { o?: string; cn?: string }): Buffer {
  const rdn = (type: string, v: string): Buffer => set(seq(oid(type), utf8(v)));
  return seq(...(parts.o ? [rdn('2.5.4.10', parts.o)] : []), ...(parts.cn ? [rdn('2.5.4.3', parts.cn)] : []));
}

export interface Extension {
  oid: string;
  critical?: boolean;
  /** The extnValue's content (wrapped in the OCTET STRING here). */
  value: Buffer;
}

export const ext = {
  basicConstraints: (ca: boolean, pathLen?: number): Extension => ({ oid: '2.5.29.19', critical: true, value: seq(...(ca ? [bool(true)] : []), ...(pathLen !== undefined ? [integer(pathLen)] : [])) }),
  /** keyCertSign+cRLSign for a CA, digitalSignature for a leaf. */
  keyUsage: (ca: boolean): Extension => ({ oid: '2.5.29.15', critical: true, value: ca ? bits(Buffer.from([0x06]), 1) : bits(Buffer.from([0x80]), 7) }),
  codeSigning: (): Extension => ({ oid: '2.5.29.37', value: seq(oid('1.3.6.1.5.5.7.3.3')) }),
  sanUri: (uri: string): Extension => ({ oid: '2.5.29.17', critical: true, value: seq(tlv(0x86, Buffer.from(uri))) }),
  subjectKeyId: (spki: Buffer): Extension => ({ oid: '2.5.29.14', value: octets(keyId(spki)) }),
  authorityKeyId: (issuerSpki: Buffer): Extension => ({ oid: '2.5.29.35', value: seq(ctx(0, keyId(issuerSpki), false)) }),
};

/** SHA-1 of the subjectPublicKey bits, as RFC 5280 §4.2.1.2 method 1 derives key identifiers (a P-256 point: the SPKI's last 65 bytes). */
function keyId(spki: Buffer): Buffer {
  return createHash('sha1').update(spki.subarray(spki.length - 65)).digest();
}

export interface CertificateSpec {
  serial: bigint;
  issuer: Buffer;
  subject: Buffer;
  notBefore: Date;
  notAfter: Date;
  /** SPKI DER of the certified key. */
  spki: Buffer;
  extensions: Extension[];
}

/** The TBSCertificate of a v3 certificate signed with ECDSA-SHA256. */
export function tbsCertificate(c: CertificateSpec): Buffer {
  const exts = seq(...c.extensions.map((e) => seq(oid(e.oid), ...(e.critical ? [bool(true)] : []), octets(e.value))));
  return seq(ctx(0, integer(2)), integer(c.serial), ECDSA_SHA256, c.issuer, seq(time(c.notBefore), time(c.notAfter)), c.subject, c.spki, ctx(3, exts));
}

/** A signed certificate, PEM. */
export function certificate(tbs: Buffer, issuerKey: KeyObject): string {
  const der = seq(tbs, ECDSA_SHA256, bits(sign('sha256', tbs, issuerKey)));
  return `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;
}
