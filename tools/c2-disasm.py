#!/usr/bin/env python3
"""Disassembles what C2 compiled for one method, without an hsdis plugin in the JDK.

Without hsdis, -XX:CompileCommand=print prints each compiled method's code as hex words. This
script takes that output, keeps the last C2 (tier 4, not OSR) compilation of the named method,
writes its bytes to a file and runs objdump (binutils) on them:

    java -XX:+UnlockDiagnosticVMOptions \
         -XX:CompileCommand=print,dev.accel.backend.cpu.linalg.DirectConv::tile \
         --add-modules jdk.incubator.vector -cp CLASSPATH dev.accel.backend.cpu.linalg.DirectConvMain 64 56 64 3 1 1 \
         > /tmp/print.txt 2>&1
    tools/c2-disasm.py /tmp/print.txt DirectConv::tile > /tmp/tile.s

Offsets in the listing are from the method's first instruction; branch targets are offsets too.
"""
import re
import subprocess
import sys
import tempfile

HEADER = re.compile(r"Compiled method \(c2\)\s+\d+\s+\d+\s+(%?)\s*4\s+(\S+)")
WORDS = re.compile(r"^\s+0x([0-9a-f]+): ((?:[0-9a-f]{2,8}\s*\|?\s*)+)$")


def code_of(lines, method):
    """The bytes of the last non-OSR C2 compilation of method, from its [MachCode] section."""
    start = None
    for i, line in enumerate(lines):
        m = HEADER.search(line)
        if m and m.group(1) == "" and m.group(2).endswith(method):
            start = i
    if start is None:
        sys.exit(f"c2-disasm: no C2 compilation of {method} in the input (was it printed with CompileCommand=print?)")
    data = bytearray()
    base = None
    in_code = False
    for line in lines[start + 1:]:
        if line.startswith("Compiled method") or line.startswith("[Stub Code]") or line.startswith("[Exception Handler]"):
            break
        if line.startswith("[MachCode]"):
            in_code = True
            continue
        m = WORDS.match(line) if in_code else None
        if not m:
            continue
        addr = int(m.group(1), 16)
        if base is None:
            base = addr
        if addr - base > len(data):
            data += bytes(addr - base - len(data))
        del data[addr - base:]
        data += bytes.fromhex(re.sub(r"[\s|]", "", m.group(2)))
    return data


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: c2-disasm.py PRINT_OUTPUT Class::method")
    with open(sys.argv[1], errors="replace") as f:
        lines = f.read().split("\n")
    data = code_of(lines, sys.argv[2])
    with tempfile.NamedTemporaryFile(suffix=".bin") as tmp:
        tmp.write(data)
        tmp.flush()
        out = subprocess.run(["objdump", "-D", "-b", "binary", "-mi386:x86-64", "-M", "intel", tmp.name],
                             capture_output=True, text=True, check=True).stdout
    print(out)


if __name__ == "__main__":
    main()
