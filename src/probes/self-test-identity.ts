/**
 * A fixed, public key and self-signed certificate (P-256, CN "vouch self-test", valid until 2126) for one purpose:
 * the in-process loopback server that `tls-version-node.ts` starts to learn which versions this Node's OpenSSL can
 * offer. It authenticates nothing (the self-test client does not verify it), so the key being public is harmless,
 * and shipping it keeps every scan free of the test lab and of node-forge, which would otherwise make one.
 * Made with: openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 36500 \
 *   -subj "/CN=vouch self-test" -addext "subjectAltName=DNS:localhost"
 */
export const SELF_TEST_KEY_PEM = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgpPqNcEHE26MIIsTE
ozGTta30v3TEVG9K8gke8SSr9cyhRANCAARP3+RPxu1B0LkobL+q5FD4icZa0nW2
zpoIPvFnXZhPw8IYaeAGrcXNo+bPNanl4wTsQn2Kqtyf10sYmAJRnDCW
-----END PRIVATE KEY-----
`;

export const SELF_TEST_CERT_PEM = `-----BEGIN CERTIFICATE-----
MIIBoTCCAUegAwIBAgIUJlSS8m7TQzVJlKsoj2EMk8gKM8UwCgYIKoZIzj0EAwIw
GjEYMBYGA1UEAwwPdm91Y2ggc2VsZi10ZXN0MCAXDTI2MTIwMjE3NTAwMFoYDzIx
MjYxMTA4MTc1MDAwWjAaMRgwFgYDVQQDDA92b3VjaCBzZWxmLXRlc3QwWTATBgcq
hkjOPQIBBggqhkjOPQMBBwNCAARP3+RPxu1B0LkobL+q5FD4icZa0nW2zpoIPvFn
XZhPw8IYaeAGrcXNo+bPNanl4wTsQn2Kqtyf10sYmAJRnDCWo2kwZzAdBgNVHQ4E
FgQUxa2GQyJxUnhT0op0FMjrZMXXLaowHwYDVR0jBBgwFoAUxa2GQyJxUnhT0op0
FMjrZMXXLaowDwYDVR0TAQH/BAUwAwEB/zAUBgNVHREEDTALgglsb2NhbGhvc3Qw
CgYIKoZIzj0EAwIDSAAwRQIhALSl7By+XX9gJydBEmbekAbcPyNO6mLIn811OIq1
jz0eAiBA/CRAiTyj1LKKtWS0TqAfsFk3Q2h8+iIfM5FEtoeVZw==
-----END CERTIFICATE-----
`;
