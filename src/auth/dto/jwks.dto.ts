export class JwkDto {
  /** @example "RSA" */
  kty!: string;
  kid!: string;
  /** @example "RS256" */
  alg!: string;
  /** @example "sig" */
  use!: string;
  n!: string;
  /** @example "AQAB" */
  e!: string;
}

export class JwksDto {
  keys!: JwkDto[];
}
