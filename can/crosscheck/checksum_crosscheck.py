#!/usr/bin/python3
"""The checksum algorithms of can/checksum.h written again independently, for
can_crc_crosscheck_test: the CRCs by crcmod (Debian's python3-crcmod), the XOR and the Toyota
sum in plain Python. Reads lines "ALGORITHM CAN_ID CHECKSUM_BYTE DATA_ID HEXPAYLOAD" from the
file named by argv[1] and prints one checksum (two hex digits) per line.

crcmod's initCrc is the register's start value XORed with xorOut (its documentation), so
E2E Profile 1 (start 0x00, no final XOR) is initCrc=0x00, xorOut=0x00, and CRC-8/AUTOSAR
(init 0xFF, xorout 0xFF) is initCrc=0x00, xorOut=0xFF. The catalogue check values are asserted
first so a misreading of crcmod fails here rather than agreeing with a wrong C++ CRC.
"""
import sys

import crcmod

p1 = crcmod.mkCrcFun(0x11D, initCrc=0x00, rev=False, xorOut=0x00)
autosar = crcmod.mkCrcFun(0x12F, initCrc=0x00, rev=False, xorOut=0xFF)
sae_j1850 = crcmod.mkCrcFun(0x11D, initCrc=0x00, rev=False, xorOut=0xFF)
assert sae_j1850(b"123456789") == 0x4B
assert autosar(b"123456789") == 0xDF


def checksum(algorithm, can_id, at, data_id, payload):
    rest = payload[:at] + payload[at + 1:]
    if algorithm == "crc8_e2e_p1":
        return p1(bytes([data_id & 0xFF, (data_id >> 8) & 0xFF]) + rest)
    if algorithm == "crc8_e2e_p2":
        return autosar(rest + bytes([data_id & 0xFF]))
    if algorithm == "xor":
        x = 0
        for b in rest:
            x ^= b
        return x
    if algorithm == "sum_toyota":
        s = len(payload) + sum(rest)
        while can_id:
            s += can_id & 0xFF
            can_id >>= 8
        return s & 0xFF
    raise SystemExit("unknown algorithm " + algorithm)


with open(sys.argv[1]) as f:
    for line in f:
        alg, can_id, at, data_id, hexpayload = line.split()
        print("%02X" % checksum(alg, int(can_id), int(at), int(data_id), bytes.fromhex(hexpayload)))
