/** Names for the code points the reader itself reports in problems and alerts. */

/** RFC 8446 6 and the TLS Alerts registry (RFC 5246 7.2, RFC 6066 9, RFC 8446 6.2, RFC 7301 3.2). */
export const ALERT_NAMES: ReadonlyMap<number, string> = new Map([
  [0, 'close_notify'], [10, 'unexpected_message'], [20, 'bad_record_mac'], [21, 'decryption_failed'],
  [22, 'record_overflow'], [30, 'decompression_failure'], [40, 'handshake_failure'], [41, 'no_certificate'],
  [42, 'bad_certificate'], [43, 'unsupported_certificate'], [44, 'certificate_revoked'], [45, 'certificate_expired'],
  [46, 'certificate_unknown'], [47, 'illegal_parameter'], [48, 'unknown_ca'], [49, 'access_denied'],
  [50, 'decode_error'], [51, 'decrypt_error'], [60, 'export_restriction'], [70, 'protocol_version'],
  [71, 'insufficient_security'], [80, 'internal_error'], [86, 'inappropriate_fallback'], [90, 'user_canceled'],
  [100, 'no_renegotiation'], [109, 'missing_extension'], [110, 'unsupported_extension'],
  [111, 'certificate_unobtainable'], [112, 'unrecognized_name'], [113, 'bad_certificate_status_response'],
  [114, 'bad_certificate_hash_value'], [115, 'unknown_psk_identity'], [116, 'certificate_required'],
  [120, 'no_application_protocol'], [121, 'ech_required'],
]);

/** RFC 8446 4 / B.3 HandshakeType, with the TLS 1.2 ones (RFC 5246 7.4, RFC 6066 8, RFC 4680). */
export const HANDSHAKE_NAMES: ReadonlyMap<number, string> = new Map([
  [0, 'HelloRequest'], [1, 'ClientHello'], [2, 'ServerHello'], [3, 'HelloVerifyRequest'], [4, 'NewSessionTicket'],
  [5, 'EndOfEarlyData'], [8, 'EncryptedExtensions'], [11, 'Certificate'], [12, 'ServerKeyExchange'],
  [13, 'CertificateRequest'], [14, 'ServerHelloDone'], [15, 'CertificateVerify'], [16, 'ClientKeyExchange'],
  [20, 'Finished'], [21, 'CertificateURL'], [22, 'CertificateStatus'], [23, 'SupplementalData'], [24, 'KeyUpdate'],
  [254, 'message_hash'],
]);

export const handshakeName = (type: number): string => HANDSHAKE_NAMES.get(type) ?? `handshake type ${type}`;

/** SSLv2 ERROR codes (draft-hickman-netscape-ssl-00, "Error Messages"). */
export const SSLV2_ERRORS: ReadonlyMap<number, string> = new Map([
  [0x0001, 'NO-CIPHER-ERROR'], [0x0002, 'NO-CERTIFICATE-ERROR'], [0x0004, 'BAD-CERTIFICATE-ERROR'],
  [0x0006, 'UNSUPPORTED-CERTIFICATE-TYPE-ERROR'],
]);

/** RFC 5246 6.2.1 ContentType. */
export const CONTENT_TYPES: ReadonlyMap<number, string> = new Map([
  [20, 'change_cipher_spec'], [21, 'alert'], [22, 'handshake'], [23, 'application_data'], [24, 'heartbeat'],
]);
