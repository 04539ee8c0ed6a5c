# Writes the bytes of INPUT to OUTPUT as a C array initializer ("0x3c,0x21,...", 32 bytes a line),
# for a source file to include between braces. Run with cmake -DINPUT=... -DOUTPUT=... -P.
file(READ "${INPUT}" hex HEX)
string(REGEX REPLACE "(................................................................)" "\\1\n" hex "${hex}")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
file(WRITE "${OUTPUT}" "${bytes}\n")
