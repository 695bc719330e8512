import { MEDIA } from '../../oci/media.js';

/** DSSE (Dead Simple Signing Envelope), the wrapping of every in-toto statement that Sigstore signs: its payload type. */
export const IN_TOTO_PAYLOAD_TYPE = MEDIA.inToto;

export interface Envelope {
  payloadType: string;
  /** base64 of the payload bytes. */
  payload: string;
  signatures: { keyid: string; sig: string }[];
}

/** The bytes a DSSE signature is made over: `DSSEv1 <len(type)> <type> <len(body)> <body>`, lengths in bytes. Pure. */
export function pae(payloadType: string, payload: Buffer): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `), type, Buffer.from(` ${payload.length} `), payload]);
}

/** The envelope of one payload and its one signature (DER, as ECDSA gives it). Pure. */
export function envelope(payloadType: string, payload: Buffer, signature: Buffer): Envelope {
  return { payloadType, payload: payload.toString('base64'), signatures: [{ keyid: '', sig: signature.toString('base64') }] };
}
