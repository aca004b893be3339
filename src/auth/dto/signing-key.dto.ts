/** The key that signs access tokens from now on. */
export class SigningKeyDto {
  /** Its RFC 7638 thumbprint, the `kid` of new tokens and of its entry in the JWKS. @example "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs" */
  kid!: string;
}
