// OpenApiSchemas: the parts of openapi.json that the route table cannot say by itself: the
// problem body every error answers with, the case a business system files and the receipt it
// gets back (JSON Schema, as OpenAPI 3.0 writes it). Constant text; thread-safe.
#pragma once

#include <string>

namespace dangan::web {

// The "components" object: schemas (Problem, Case, CaseFile, Receipt), the shared Problem
// response and the bearer security scheme.
const std::string& OpenApiComponents();

// POST /api/v1/cases: its requestBody (the case as JSON with base64 file contents, or as
// multipart/form-data with streamed file parts) and its responses.
const std::string& IntakeRequestBody();
const std::string& IntakeResponses();

// GET /api/v1/cases/{source}/{case_id}: the receipt with its status.
const std::string& CaseStatusResponses();

}  // namespace dangan::web
