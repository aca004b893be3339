/** A public key: RSA keys (RS256) carry `n` and `e`, EC keys (ES256) `crv`, `x` and `y`. */
export class JwkDto {
  /** `RSA` or `EC`. @example "RSA" */
  kty!: string;
  kid!: string;
  /** `RS256` or `ES256`. @example "RS256" */
  alg!: string;
  /** @example "sig" */
  use!: string;
  n?: string;
  /** @example "AQAB" */
  e?: string;
  /** @example "P-256" */
  crv?: string;
  x?: string;
  y?: string;
}

export class JwksDto {
  keys!: JwkDto[];
}
