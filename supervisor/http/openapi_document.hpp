#pragma once
// docs/openapi.json, the API's OpenAPI 3.1 description, as built into
// stratd (cmake/embed_openapi.cmake generates the definition).
#include <string_view>

namespace stratd::supervisor::http {

std::string_view openapi_document();

}  // namespace stratd::supervisor::http
