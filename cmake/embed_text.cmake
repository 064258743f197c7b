# Writes OUTPUT: a C++ file defining `extern const std::string_view carbontracker::data::SYMBOL`
# holding INPUT verbatim (hex bytes, so no character in the data can break the literal).
file(READ ${INPUT} hex HEX)
string(LENGTH "${hex}" len)
math(EXPR nbytes "${len} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," bytes "${hex}")
file(WRITE ${OUTPUT} "// Generated from ${INPUT}. Do not edit.\n#include <string_view>\n"
  "namespace carbontracker::data {\nnamespace {\nconstexpr char ${SYMBOL}Bytes[] = {${bytes} '\\0'};\n}\n"
  "extern const std::string_view ${SYMBOL};\nconst std::string_view ${SYMBOL}(${SYMBOL}Bytes, ${nbytes});\n}\n")
