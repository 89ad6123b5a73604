/**
 * The IANA root zone trust anchors, as DS records (digest type 2, SHA-256), in the trust-anchor file format.
 * Published by IANA at https://data.iana.org/root-anchors/root-anchors.xml (with its detached signatures beside it);
 * the same two appear in BIND's bind.keys. KSK-2017 (key tag 20326) signs the root zone's DNSKEY RRset since the
 * 2018 roll; KSK-2024 (key tag 38696) is its successor, published in the root zone in 2025 and due to take over in
 * 2026. Both are trusted, so that roll needs no update of Vouch. test/dnssec/anchors.test.ts checks the
 * 20326 digest against that key's DNSKEY record.
 */
export const IANA_ROOT_ANCHORS_TEXT = `
; KSK-2017
. IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D
; KSK-2024
. IN DS 38696 8 2 683D2D0ACB8C9B712A1948B27F741219298D0A450D612C483AF444A4C0FB2B16
`;
