/** The bootstrap administrator of every test service, in-process (test-app.ts) or as a child process. */
export const ADMIN = { username: 'admin', password: 'Adm1n password for the tests' };
