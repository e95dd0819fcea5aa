// jose, loaded on the first key or id_token operation instead of with the server: a server that
// never meets an OpenID Connect request never loads it (with nodemailer and yaml, about 4 MiB of an
// idle server's memory; bench/README.md, issue 10).
export const loadJose = () => import('jose');
