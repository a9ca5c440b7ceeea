#include "web/openapi_schemas.h"

namespace dangan::web {

// The case schema follows archive/case_submission.cpp (DecodeCaseJson, ValidateCase);
// tests/web/api_test.cpp files a case with every property and drops each required one in turn,
// so that the two cannot drift apart unseen.
const std::string& OpenApiComponents() {
  static const std::string kText = R"JSON({
"securitySchemes":{"apiKey":{"type":"http","scheme":"bearer","description":"An API key (dangan apikey create) or, for people, the session cookie of POST /api/v1/session"}},
"schemas":{
"Problem":{"type":"object","description":"RFC 7807 problem body (application/problem+json)","required":["type","title","status"],"properties":{
 "type":{"type":"string"},"title":{"type":"string"},"status":{"type":"integer"},"detail":{"type":"string"},
 "errors":{"type":"array","description":"each bad field of the request, by its dotted path (files[1].sha256)","items":{"type":"object","required":["field","message"],"properties":{"field":{"type":"string"},"message":{"type":"string"}}}}}},
"CaseFile":{"type":"object","required":["name"],"properties":{
 "name":{"type":"string","minLength":1,"description":"the file's name in the record (UTF-8; no path separators)"},
 "path":{"type":"string","description":"dangan ingest only: relative to the case file; over HTTP the server sets it"},
 "sha256":{"type":"string","pattern":"^[0-9a-fA-F]{64}$","description":"declared digest, checked against the bytes received"},
 "content":{"type":"string","format":"byte","description":"application/json only: the file's bytes in base64"}}},
"CaseFileWithContent":{"allOf":[{"$ref":"#/components/schemas/CaseFile"},{"required":["name","content"]}]},
"CaseWithContents":{"description":"A case as application/json: each file carries its bytes","allOf":[{"$ref":"#/components/schemas/Case"},{"properties":{"files":{"type":"array","items":{"$ref":"#/components/schemas/CaseFileWithContent"}}}}]},
"Case":{"type":"object","description":"A closed business case (归档: one case is one record, 件). Filing is idempotent on (source, case_id).",
 "required":["source","case_id","item","title","formed_on","closed_at","agency","handler","steps","files"],"properties":{
 "source":{"type":"string","pattern":"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$","description":"the business system; must be the API key's"},
 "case_id":{"type":"string","minLength":1,"maxLength":128},
 "item":{"type":"string","minLength":1,"description":"business-item code of the scheme (GET /api/v1/scheme); class and retention follow from it"},
 "title":{"type":"string","minLength":1,"maxLength":500,"description":"题名"},
 "formed_on":{"type":"string","format":"date","description":"形成日期, not in the future; its year is the 档号's"},
 "closed_at":{"type":"string","format":"date-time","description":"ISO 8601 with a UTC offset"},
 "agency":{"type":"string","minLength":1,"maxLength":200,"description":"经办机构"},
 "handler":{"type":"string","minLength":1,"maxLength":100,"description":"经办人"},
 "doc_number":{"type":"string","maxLength":100,"description":"文号"},
 "responsible":{"type":"string","maxLength":200,"description":"责任者"},
 "serial":{"type":"string","maxLength":64,"description":"业务流水号"},
 "security":{"type":"string","enum":["","非密","公开","内部"],"description":"密级 (classified material is not filed here)"},
 "text":{"type":"string","description":"full text for search"},
 "person":{"type":"object","required":["id_number","name"],"properties":{"id_number":{"type":"string","description":"公民身份号码 (18 characters, check digit verified)"},"name":{"type":"string","minLength":1,"maxLength":50}}},
 "unit":{"type":"object","required":["credit_code","name"],"properties":{"credit_code":{"type":"string","description":"统一社会信用代码 (check character verified)"},"name":{"type":"string","minLength":1,"maxLength":200}}},
 "steps":{"type":"array","minItems":1,"description":"handling steps (办理过程); the filing checks (GD-2-3 业务过程记录完整性) refuse a record without one","items":{"type":"object","required":["action","at","by"],"properties":{"action":{"type":"string","minLength":1,"maxLength":50},"at":{"type":"string","format":"date-time"},"by":{"type":"string","minLength":1,"maxLength":100},"basis":{"type":"string"},"description":{"type":"string"}}}},
 "files":{"type":"array","minItems":1,"maxItems":1000,"items":{"$ref":"#/components/schemas/CaseFile"}}}},
"Receipt":{"type":"object","required":["reference","source","case_id","package_sha256","filed_at","receipt"],"properties":{
 "status":{"type":"string","enum":["filed"],"description":"GET /api/v1/cases/{source}/{case_id} only"},
 "reference":{"type":"string","description":"档号"},"source":{"type":"string"},"case_id":{"type":"string"},
 "package_sha256":{"type":"string"},"filed_at":{"type":"string","format":"date-time"},
 "receipt":{"type":"object","description":"proof of handover: HMAC-SHA256 over 'signed' with the archive's key","required":["algorithm","signed","signature"],"properties":{"algorithm":{"type":"string","enum":["HMAC-SHA256"]},"signed":{"type":"string"},"signature":{"type":"string"}}}}}},
"responses":{"Problem":{"description":"an error, as a problem body","content":{"application/problem+json":{"schema":{"$ref":"#/components/schemas/Problem"}}}}}
})JSON";
  return kText;
}

const std::string& IntakeRequestBody() {
  static const std::string kText = R"JSON({"required":true,
"description":"application/json for small cases (each files[] entry with its bytes in content, base64); multipart/form-data streams each file to disk",
"content":{
"application/json":{"schema":{"$ref":"#/components/schemas/CaseWithContents"}},
"multipart/form-data":{"schema":{"type":"object","required":["case"],"properties":{
 "case":{"type":"string","description":"the case JSON (Case, without content); each files[] entry is matched to the file part whose filename is its name"},
 "file":{"type":"array","items":{"type":"string","format":"binary"},"description":"one part per files[] entry, streamed to disk"}}}}}})JSON";
  return kText;
}

const std::string& IntakeResponses() {
  static const std::string kText = R"JSON({
"201":{"description":"filed: the 档号, the package's digest and the signed receipt","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Receipt"}}}},
"200":{"description":"filed before with the same content: the original receipt","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Receipt"}}}},
"401":{"$ref":"#/components/responses/Problem"},
"403":{"$ref":"#/components/responses/Problem"},
"409":{"$ref":"#/components/responses/Problem"},
"413":{"$ref":"#/components/responses/Problem"},
"415":{"$ref":"#/components/responses/Problem"},
"422":{"$ref":"#/components/responses/Problem"},
"default":{"$ref":"#/components/responses/Problem"}})JSON";
  return kText;
}

const std::string& CaseStatusResponses() {
  static const std::string kText = R"JSON({
"200":{"description":"the case is filed: its receipt","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Receipt"}}}},
"404":{"$ref":"#/components/responses/Problem"},
"default":{"$ref":"#/components/responses/Problem"}})JSON";
  return kText;
}

}  // namespace dangan::web
