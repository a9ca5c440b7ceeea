// Record: one archive record (件) with its DA/T 46 metadata, social-insurance keys, handling steps
// (业务实体) and content files. A plain value: copy freely, share read-only across threads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "archive/reference_number.h"

namespace dangan {

struct Person {
  std::string id_number;  // 公民身份号码, normalised (upper-case X)
  std::string name;
};

struct Unit {
  std::string credit_code;  // 统一社会信用代码
  std::string name;
};

// One entry of the 业务实体 block: a handling step of the business case.
struct HandlingStep {
  std::string action;       // 业务行为, e.g. "受理", "审核", "办结"
  std::string at;           // 行为时间, ISO 8601 with offset
  std::string by;           // 机构人员
  std::string basis;        // 行为依据 (optional)
  std::string description;  // 行为描述 (optional)
};

// 数字化属性 of a scanned file (DA/T 31): how the paper became pixels. Empty when born digital.
struct Digitization {
  int dpi = 0;              // 扫描分辨率
  std::string colour_mode;  // 色彩模式: "bitonal", "grayscale", "color"
  std::string compression;  // 压缩方式, e.g. "JPEG", "LZW", "CCITT G4"
  int pages = 0;            // 页数 of this file
  bool empty() const { return dpi == 0 && colour_mode.empty() && compression.empty(); }
};

// A content file with its electronic properties (电子属性).
struct RecordFile {
  std::string name;    // file name as given, UTF-8, no directories
  std::string role;    // "original", "text", "metadata", "access"
  std::string format;  // e.g. "PDF", "TIFF", "XML", "TXT"
  uint64_t size = 0;
  std::string sha256;
  std::string created_by;  // 创建程序, if known
  Digitization digitization;
};

struct Record {
  // Identity
  std::string reference;  // 档号
  ReferenceParts parts;
  std::string series;       // the 档号 without its 件号: the numbering series
  std::string source;       // the business system (or "capture", "manual")
  std::string case_id;      // the business system's case id
  std::string channel;      // intake channel: "business", "capture", "manual"
  std::string fingerprint;  // digest of the submission, for idempotent intake

  // 文件实体 (DA/T 46)
  std::string title;              // 题名
  std::string doc_number;         // 文件编号 / 文号
  std::string responsible;        // 责任者
  std::string formed_on;          // 日期, YYYY-MM-DD
  std::string closed_at;          // 办结时间, ISO 8601
  std::string security = "非密";  // 密级
  int pages = 0;
  std::string language = "汉语";

  // Social-insurance keys
  std::string agency;   // 经办机构
  std::string handler;  // 经办人
  std::string serial;   // 业务流水号
  std::optional<Person> person;
  std::optional<Unit> unit;

  std::vector<HandlingStep> steps;
  std::vector<RecordFile> files;
  std::string text;  // extracted or supplied full text, for search

  // Filing
  std::string filed_at;
  std::string package_path;
  std::string package_sha256;
  uint64_t package_bytes = 0;
  std::string state = "filed";
};

}  // namespace dangan
