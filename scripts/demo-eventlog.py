#!/usr/bin/env python3
"""Writes the small TCG PC Client event log the demo measures into its software TPM.

A crypto-agile log (Spec ID Event03 header, then TCG_PCR_EVENT2 records) with SHA-1, SHA-256 and
SHA-384 digests: firmware version in PCR 0, the UEFI secure boot variables in PCR 7, separators in
PCRs 0-7, and two boot applications in PCR 4 — the shape real firmware logs have. It is written
independently of Vouch's parser, so the demo also cross-checks that parser.

Usage: demo-eventlog.py LOG_OUT EXTENDS_OUT
EXTENDS_OUT gets one line per event: "<pcr> sha1=<hex>,sha256=<hex>,sha384=<hex>", the argument
tpm2_pcrextend takes, in log order.
"""
import hashlib
import struct
import sys

EV_NO_ACTION = 0x3
EV_SEPARATOR = 0x4
EV_S_CRTM_VERSION = 0x8
EV_EFI_VARIABLE_DRIVER_CONFIG = 0x80000001
EV_EFI_BOOT_SERVICES_APPLICATION = 0x80000003

ALGS = [(0x0004, "sha1", 20), (0x000B, "sha256", 32), (0x000C, "sha384", 48)]
EFI_GLOBAL_VARIABLE = bytes.fromhex("61dfe48bca93d211aa0d00e098032b8c")  # 8BE4DF61-93CA-11D2-AA0D-00E098032B8C
EFI_IMAGE_SECURITY_DATABASE = bytes.fromhex("cbb219d73a3d9645a3bcdad00e67656f")  # D719B2CB-3D3A-4596-A3BC-DAD00E67656F


def spec_id_header() -> bytes:
    body = b"Spec ID Event03\0" + struct.pack("<IBBBB", 0, 0, 2, 0, 2)
    body += struct.pack("<I", len(ALGS))
    for alg_id, _, size in ALGS:
        body += struct.pack("<HH", alg_id, size)
    body += b"\0"  # vendorInfoSize
    return struct.pack("<II", 0, EV_NO_ACTION) + b"\0" * 20 + struct.pack("<I", len(body)) + body


def uefi_variable(guid: bytes, name: str, data: bytes) -> bytes:
    uname = name.encode("utf-16-le")
    return guid + struct.pack("<QQ", len(name), len(data)) + uname + data


def main() -> int:
    log_path, extends_path = sys.argv[1], sys.argv[2]
    events = []  # (pcr, type, data, measured bytes)

    def measure(pcr, etype, data, measured=None):
        events.append((pcr, etype, data, data if measured is None else measured))

    measure(0, EV_S_CRTM_VERSION, "Vouch demo firmware 1.0\0".encode("utf-16-le"))
    measure(7, EV_EFI_VARIABLE_DRIVER_CONFIG, uefi_variable(EFI_GLOBAL_VARIABLE, "SecureBoot", b"\x01"))
    measure(7, EV_EFI_VARIABLE_DRIVER_CONFIG, uefi_variable(EFI_GLOBAL_VARIABLE, "PK", b"demo platform key"))
    measure(7, EV_EFI_VARIABLE_DRIVER_CONFIG, uefi_variable(EFI_GLOBAL_VARIABLE, "KEK", b"demo key exchange key"))
    measure(7, EV_EFI_VARIABLE_DRIVER_CONFIG, uefi_variable(EFI_IMAGE_SECURITY_DATABASE, "db", b"demo allowed signers"))
    measure(7, EV_EFI_VARIABLE_DRIVER_CONFIG, uefi_variable(EFI_IMAGE_SECURITY_DATABASE, "dbx", b"demo revoked hashes"))
    for pcr in range(8):
        measure(pcr, EV_SEPARATOR, b"\0\0\0\0")
    # Boot applications: the digest is the image's hash, not a hash of the event data.
    load_event = struct.pack("<QQQQ", 0x1000, 0x20000, 0, 0)
    measure(4, EV_EFI_BOOT_SERVICES_APPLICATION, load_event, b"demo shim image")
    measure(4, EV_EFI_BOOT_SERVICES_APPLICATION, load_event, b"demo kernel image")

    out = bytearray(spec_id_header())
    lines = []
    for pcr, etype, data, measured in events:
        digests = [(alg_id, hashlib.new(name, measured).digest()) for alg_id, name, _ in ALGS]
        out += struct.pack("<III", pcr, etype, len(digests))
        for alg_id, d in digests:
            out += struct.pack("<H", alg_id) + d
        out += struct.pack("<I", len(data)) + data
        lines.append(f"{pcr} " + ",".join(f"{name}={hashlib.new(name, measured).hexdigest()}"
                                          for _, name, _ in ALGS))
    with open(log_path, "wb") as f:
        f.write(out)
    with open(extends_path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
