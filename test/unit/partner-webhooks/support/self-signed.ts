import { generateKeyPairSync, sign } from 'node:crypto';

/**
 * A self-signed X.509 certificate made at test time: node has no certificate API, so the few DER
 * structures a TLS server certificate needs are written here (an EC P-256 key, ecdsa-with-SHA256,
 * one subjectAltName DNS name, basicConstraints CA so that it can be its own trust anchor).
 */
export interface SelfSigned {
  cert: string;
  key: string;
}

const der = (tag: number, ...content: Buffer[]): Buffer => {
  const body = Buffer.concat(content);
  const length =
    body.length < 0x80 ? Buffer.from([body.length]) : body.length < 0x100 ? Buffer.from([0x81, body.length]) : Buffer.from([0x82, body.length >> 8, body.length & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, body]);
};
const sequence = (...content: Buffer[]) => der(0x30, ...content);
const oid = (dotted: string): Buffer => {
  const [first, second, ...rest] = dotted.split('.').map(Number);
  const bytes = [first! * 40 + second!];
  for (const arc of rest) {
    const groups = [arc & 0x7f];
    for (let value = arc >> 7; value > 0; value >>= 7) groups.unshift((value & 0x7f) | 0x80);
    bytes.push(...groups);
  }
  return der(0x06, Buffer.from(bytes));
};
const utf8 = (text: string) => der(0x0c, Buffer.from(text, 'utf8'));
const time = (at: Date): Buffer => {
  const iso = at.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';
  // UTCTime through 2049, GeneralizedTime after (RFC 5280 §4.1.2.5).
  return at.getUTCFullYear() < 2050 ? der(0x17, Buffer.from(iso.slice(2))) : der(0x18, Buffer.from(iso));
};
const name = (commonName: string) => sequence(der(0x31, sequence(oid('2.5.4.3'), utf8(commonName))));

export function selfSigned(dnsName: string, validity: { notBefore: Date; notAfter: Date }): SelfSigned {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const algorithm = sequence(oid('1.2.840.10045.4.3.2'));
  const subjectAltName = sequence(oid('2.5.29.17'), der(0x04, sequence(der(0x82, Buffer.from(dnsName, 'ascii')))));
  const basicConstraints = sequence(oid('2.5.29.19'), der(0x01, Buffer.from([0xff])), der(0x04, sequence(der(0x01, Buffer.from([0xff])))));
  const tbs = sequence(
    der(0xa0, der(0x02, Buffer.from([2]))),
    der(0x02, Buffer.from([0x01, 0x23, 0x45, 0x67])),
    algorithm,
    name(dnsName),
    sequence(time(validity.notBefore), time(validity.notAfter)),
    name(dnsName),
    publicKey.export({ type: 'spki', format: 'der' }),
    der(0xa3, sequence(subjectAltName, basicConstraints)),
  );
  const signature = sign('sha256', tbs, privateKey);
  const certificate = sequence(tbs, algorithm, der(0x03, Buffer.from([0]), signature));
  const pem = certificate.toString('base64').replace(/.{1,64}/g, '$&\n');
  return { cert: `-----BEGIN CERTIFICATE-----\n${pem}-----END CERTIFICATE-----\n`, key: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string };
}
