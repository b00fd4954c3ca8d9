# Writes OUTPUT, a C++ source defining stratd::supervisor::http::openapi_document()
# as the bytes of INPUT (docs/openapi.json). Run at build time
# (cmake -DINPUT=... -DOUTPUT=... -P embed_openapi.cmake), so an edited
# document is embedded again. The bytes are written as numbers, not as a
# string literal: no raw-string delimiter can collide with the text, no
# literal length limit applies, and UTF-8 passes through untouched.
file(READ "${INPUT}" hex HEX)
string(LENGTH "${hex}" hex_length)
math(EXPR size "${hex_length} / 2")
if(size EQUAL 0)
  message(FATAL_ERROR "${INPUT} is empty")
endif()
# 32 bytes a line.
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," bytes "${hex}")
string(REGEX REPLACE "(('[^']+',){32})" "\\1\n    " bytes "${bytes}")
file(WRITE "${OUTPUT}.tmp"
"// Generated from docs/openapi.json by cmake/embed_openapi.cmake; do not edit.
#include \"supervisor/http/openapi_document.hpp\"

namespace stratd::supervisor::http {
namespace {
constexpr char kDocument[${size}] = {
    ${bytes}
};
}  // namespace

std::string_view openapi_document() { return {kDocument, sizeof kDocument}; }

}  // namespace stratd::supervisor::http
")
# Only a changed document makes the source (and what depends on it) newer.
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
