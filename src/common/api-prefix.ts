/** Every resource route lives under this prefix (health, JWKS and docs do not). */
export const API_PREFIX = 'api/v1';
