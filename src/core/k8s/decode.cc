// Documents, files and object kinds: the entry points of the decoder.
#include "core/k8s/decode.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>

#include "core/base/parallel.h"
#include "core/base/strings.h"
#include "core/k8s/decode_internal.h"
#include "core/k8s/limits.h"

namespace hp::k8s {

std::string Diagnostic::ToString() const {
  std::string s = fmt::format("{}:{}:{}: ", source.file, source.line, source.column);
  if (!object.empty()) s += object + ": ";
  return s + message;
}

namespace {

using internal::Ctx;
using internal::Fields;
using internal::GetBool;
using internal::GetString;
using internal::IsNullNode;
using N = const yaml::Node&;
using P = const std::string&;
using K = std::string_view;

// Go's encoding/base64 StdEncoding (padding required), with its error text.
bool Base64Decode(std::string_view in, std::string& out, std::string& err) {
  auto val = [](char ch) -> int {
    if (ch >= 'A' && ch <= 'Z') return ch - 'A';
    if (ch >= 'a' && ch <= 'z') return ch - 'a' + 26;
    if (ch >= '0' && ch <= '9') return ch - '0' + 52;
    if (ch == '+') return 62;
    if (ch == '/') return 63;
    return -1;
  };
  // encoding/json's []byte decoding skips \r and \n.
  std::string s;
  for (char ch : in)
    if (ch != '\r' && ch != '\n') s += ch;
  out.clear();
  size_t i = 0;
  for (; i + 4 <= s.size(); i += 4) {
    int v[4];
    int pad = 0;
    for (int j = 0; j < 4; j++) {
      char ch = s[i + j];
      if (ch == '=' && j >= 2) {
        v[j] = 0;
        pad++;
        continue;
      }
      if (pad > 0 || (v[j] = val(ch)) < 0) {
        err = fmt::format("illegal base64 data at input byte {}", i + j);
        return false;
      }
    }
    if (pad > 0 && i + 4 != s.size()) {
      err = fmt::format("illegal base64 data at input byte {}", i + 4);
      return false;
    }
    out += static_cast<char>((v[0] << 2) | (v[1] >> 4));
    if (pad < 2) out += static_cast<char>(((v[1] & 15) << 4) | (v[2] >> 2));
    if (pad < 1) out += static_cast<char>(((v[2] & 3) << 6) | v[3]);
  }
  if (i != s.size()) {
    err = fmt::format("illegal base64 data at input byte {}",
                      i + (s.size() - i == 1 ? 0 : s.size() - i));
    return false;
  }
  return true;
}

void DecodeBase64Map(Ctx& c, N n, P path, StringMap& out) {
  Fields(c, n, path, {}, [&](K k, N v, P p) {
    std::string raw, decoded, err;
    GetString(c, v, p, raw);
    if (!Base64Decode(raw, decoded, err)) c.Error(v, fmt::format("{}: {}", p, err));
    out.emplace_back(std::string(k), std::move(decoded));
    return true;
  });
}

bool TopLevel(K k) { return k == "apiVersion" || k == "kind"; }

// An object's apiVersion, kind and metadata (into `m`); false for any other field.
bool MetaField(Ctx& c, K k, N v, P p, ObjectMeta& m) {
  if (TopLevel(k)) return true;
  if (k == "metadata") return internal::DecodeObjectMeta(c, v, p, m), true;
  return false;
}

// `status` is ignored by the API server on create; an empty one (kubectl's dry-run output) is
// accepted silently, a non-empty one is a warning.
bool StatusField(Ctx& c, K k, N v) {
  if (k != "status") return false;
  if (!IsNullNode(v) && !(v.IsMap() && v.size() == 0))
    c.Warn(v, "field \"status\" is set by the cluster and is ignored");
  return true;
}

// One decoder per kind: the object's fields into its struct.
Object::Value DecodePod(Ctx& c, N n, const Source& src) {
  Pod pod;
  pod.source = src;
  Fields(c, n, "", {}, [&](K k, N v, P p) {
    if (MetaField(c, k, v, p, pod.metadata) || StatusField(c, k, v)) return true;
    if (k == "spec") return internal::DecodePodSpec(c, v, p, pod.spec), true;
    return false;
  });
  return pod;
}

void DecodeUpdateStrategy(Ctx& c, N n, P path, DaemonSetUpdateStrategy& us) {
  Fields(c, n, path, {}, [&](K k, N v, P p) {
    if (k == "type") return GetString(c, v, p, us.type), true;
    if (k != "rollingUpdate") return false;
    Fields(c, v, p, {}, [&](K k2, N v2, P p2) {
      if (k2 == "maxUnavailable") {
        if (!IsNullNode(v2)) internal::GetIntOrString(c, v2, p2, us.max_unavailable.emplace());
        return true;
      }
      if (k2 == "maxSurge") {
        if (!IsNullNode(v2)) internal::GetIntOrString(c, v2, p2, us.max_surge.emplace());
        return true;
      }
      return false;
    });
    return true;
  });
}

void DecodeDaemonSetSpec(Ctx& c, N n, P path, DaemonSetSpec& spec) {
  Fields(c, n, path, {}, [&](K k, N v, P p) {
    if (k == "selector") {
      if (!IsNullNode(v)) internal::DecodeLabelSelector(c, v, p, spec.selector.emplace());
      return true;
    }
    if (k == "template") {
      Fields(c, v, p, {}, [&](K k2, N v2, P p2) {
        if (k2 == "metadata")
          return internal::DecodeObjectMeta(c, v2, p2, spec.template_.metadata), true;
        if (k2 == "spec") return internal::DecodePodSpec(c, v2, p2, spec.template_.spec), true;
        return false;
      });
      return true;
    }
    if (k == "updateStrategy") return DecodeUpdateStrategy(c, v, p, spec.update_strategy), true;
    if (k == "minReadySeconds") return internal::GetInt32(c, v, p, spec.min_ready_seconds), true;
    if (k == "revisionHistoryLimit")
      return internal::GetInt32(c, v, p, spec.revision_history_limit), true;
    return false;
  });
}

Object::Value DecodeDaemonSet(Ctx& c, N n, const Source& src) {
  DaemonSet ds;
  ds.source = src;
  Fields(c, n, "", {}, [&](K k, N v, P p) {
    if (MetaField(c, k, v, p, ds.metadata) || StatusField(c, k, v)) return true;
    if (k == "spec") return DecodeDaemonSetSpec(c, v, p, ds.spec), true;
    return false;
  });
  return ds;
}

Object::Value DecodeNamespace(Ctx& c, N n, const Source& src) {
  Namespace ns;
  ns.source = src;
  Fields(c, n, "", {"spec"},
         [&](K k, N v, P p) { return MetaField(c, k, v, p, ns.metadata) || StatusField(c, k, v); });
  return ns;
}

Object::Value DecodeConfigMap(Ctx& c, N n, const Source& src) {
  ConfigMap cm;
  cm.source = src;
  Fields(c, n, "", {}, [&](K k, N v, P p) {
    if (MetaField(c, k, v, p, cm.metadata)) return true;
    if (k == "data") return internal::GetStringMap(c, v, p, cm.data), true;
    if (k == "binaryData") return DecodeBase64Map(c, v, p, cm.binary_data), true;
    if (k == "immutable") return GetBool(c, v, p, cm.immutable), true;
    return false;
  });
  return cm;
}

Object::Value DecodeSecret(Ctx& c, N n, const Source& src) {
  Secret s;
  s.source = src;
  Fields(c, n, "", {}, [&](K k, N v, P p) {
    if (MetaField(c, k, v, p, s.metadata)) return true;
    if (k == "data") return DecodeBase64Map(c, v, p, s.data), true;
    if (k == "stringData") return internal::GetStringMap(c, v, p, s.string_data), true;
    if (k == "type") return GetString(c, v, p, s.type), true;
    if (k == "immutable") return GetBool(c, v, p, s.immutable), true;
    return false;
  });
  for (const auto& entry : s.string_data) {  // stringData wins, as on the server
    const auto& [key, value] = entry;
    auto it = std::find_if(s.data.begin(), s.data.end(),
                           [&entry](auto& kv) { return kv.first == entry.first; });
    if (it != s.data.end()) {
      it->second = value;
    } else {
      s.data.emplace_back(key, value);
    }
  }
  return s;
}

// The names of a list of object references (`secrets`, `imagePullSecrets`).
void DecodeReferenceNames(Ctx& c, N n, P path, std::vector<std::string>& list) {
  internal::Items(c, n, path, [&](N item, P ip) {
    std::string nm;
    Fields(c, item, ip, {"kind", "namespace", "uid", "apiVersion", "resourceVersion", "fieldPath"},
           [&](K k, N v, P p) {
             if (k == "name") return GetString(c, v, p, nm), true;
             return false;
           });
    list.push_back(std::move(nm));
  });
}

Object::Value DecodeServiceAccount(Ctx& c, N n, const Source& src) {
  ServiceAccount sa;
  sa.source = src;
  Fields(c, n, "", {}, [&](K k, N v, P p) {
    if (MetaField(c, k, v, p, sa.metadata)) return true;
    if (k == "automountServiceAccountToken")
      return GetBool(c, v, p, sa.automount_service_account_token), true;
    if (k == "secrets") return DecodeReferenceNames(c, v, p, sa.secrets), true;
    if (k == "imagePullSecrets") return DecodeReferenceNames(c, v, p, sa.image_pull_secrets), true;
    return false;
  });
  return sa;
}

// The kinds hostprocess knows: the apiVersion each must have, and its decoder.
struct KindInfo {
  std::string_view name, api_version;
  Kind kind;
  Object::Value (*decode)(Ctx&, N, const Source&);
};
constexpr KindInfo kKinds[] = {
    {"Pod", "v1", Kind::kPod, DecodePod},
    {"DaemonSet", "apps/v1", Kind::kDaemonSet, DecodeDaemonSet},
    {"Namespace", "v1", Kind::kNamespace, DecodeNamespace},
    {"ConfigMap", "v1", Kind::kConfigMap, DecodeConfigMap},
    {"Secret", "v1", Kind::kSecret, DecodeSecret},
    {"ServiceAccount", "v1", Kind::kServiceAccount, DecodeServiceAccount}};

void DecodeObject(Ctx& c, N n, std::vector<Object>& out);

void DecodeList(Ctx& c, N n, std::vector<Object>& out) {
  Fields(c, n, "", {}, [&](K k, N v, P p) {
    if (TopLevel(k)) return true;
    if (k == "metadata") return true;  // ListMeta: resourceVersion etc., nothing to use
    if (k != "items") return false;
    internal::Items(c, v, p, [&](N item, P) { DecodeObject(c, item, out); });
    return true;
  });
}

void DecodeObject(Ctx& c, N n, std::vector<Object>& out) {
  if (IsNullNode(n)) return;  // empty document
  if (!n.IsMap()) {
    c.object.clear();
    c.Error(n, "a manifest must be a mapping (an object with apiVersion and kind)");
    return;
  }
  std::string kind, api_version, name;
  size_t before = c.errors->size();
  c.object.clear();
  if (N k = n.Get("kind"); k) GetString(c, k, "kind", kind);
  if (N a = n.Get("apiVersion"); a) GetString(c, a, "apiVersion", api_version);
  if (N m = n.Get("metadata"); m && m.IsMap())
    if (N nm = m.Get("name"); nm && nm.IsScalar()) name = std::string(nm.Scalar());
  if (c.errors->size() != before) return;
  if (kind.empty() || api_version.empty()) {
    std::vector<std::string> missing;
    if (api_version.empty()) missing.push_back("apiVersion not set");
    if (kind.empty()) missing.push_back("kind not set");
    c.Error(n, fmt::format("error validating data: [{}]", Join(missing, ", ")));
    return;
  }
  if (kind == "List") {
    if (api_version != "v1") {
      c.Error(n, fmt::format("no matches for kind \"List\" in version {}", Quote(api_version)));
      return;
    }
    DecodeList(c, n, out);
    return;
  }
  const KindInfo* info = nullptr;
  for (const auto& k : kKinds)
    if (k.name == kind) info = &k;
  c.object = fmt::format("{} {}", kind, Quote(name));
  if (!info) {
    c.Error(n, fmt::format("kind {} (apiVersion {}) is not supported by hostprocess; supported "
                           "kinds: Pod, DaemonSet, Namespace, ConfigMap, Secret, ServiceAccount, "
                           "List",
                           Quote(kind), Quote(api_version)));
    return;
  }
  if (info->api_version != api_version) {
    c.Error(n,
            fmt::format("no matches for kind {} in version {}", Quote(kind), Quote(api_version)));
    return;
  }
  Object obj;
  obj.kind = info->kind;
  obj.api_version = api_version;
  obj.value = info->decode(c, n, c.At(n));
  if (c.errors->size() == before) {
    if (c.keep_raw) obj.raw_json = internal::ToJsonText(n);
    obj.json_size = c.keep_raw ? obj.raw_json.size() : internal::JsonTextSize(n);
    out.push_back(std::move(obj));
  }
}

Error JoinErrors(const std::vector<Diagnostic>& errors) {
  std::vector<std::string> lines;
  lines.reserve(errors.size());
  for (const auto& d : errors) lines.push_back(d.ToString());
  return Error(Join(lines, "\n"), ErrorCode::kInvalidArgument);
}

// Large inputs are parsed and decoded in pieces of whole documents, one thread each. A piece
// starts at a line that begins with `---` and a blank: libyaml always reads that as a document
// start (a block scalar is indented at least one column, a quoted scalar or flow collection
// across it is an error), so the pieces hold exactly the documents of the whole. Directives
// (`%TAG`) belong to the next document, so an input with any is kept whole; so is UTF-16.
struct Piece {
  std::string_view text;
  int first_line = 0;
  int first_document = 0;
  yaml::Tree tree;
  yaml::ParseError error;
  bool parsed = false;
  std::vector<Object> objects;
  std::vector<Diagnostic> errors, warnings;
  std::string failure;  // an exception's text
};

constexpr size_t kMinPiece = 256 * 1024;

std::vector<std::string_view> SplitIntoPieces(std::string_view text, unsigned threads) {
  size_t parts = WorkerCount(text.size(), kMinPiece, threads);
  bool utf16 = text.size() >= 2 &&
               (static_cast<unsigned char>(text[0]) >= 0xFE || text[0] == '\0' || text[1] == '\0');
  if (parts < 2 || utf16 || text.starts_with('%') || text.find("\n%") != text.npos) return {text};
  std::vector<std::string_view> pieces;
  size_t start = 0;
  for (size_t k = 1; k < parts; k++) {
    size_t at = std::max(start, text.size() * k / parts);
    size_t cut = text.npos;
    while ((at = text.find("\n---", at)) != text.npos) {
      size_t after = at + 4;
      if (after == text.size() || text[after] == ' ' || text[after] == '\t' ||
          text[after] == '\r' || text[after] == '\n') {
        cut = at + 1;
        break;
      }
      at = after;
    }
    if (cut == text.npos) break;
    pieces.push_back(text.substr(start, cut - start));
    start = cut;
  }
  pieces.push_back(text.substr(start));
  return pieces;
}

Error YamlError(const std::string& source_name, const yaml::ParseError& e) {
  Source s{source_name, e.mark.line + 1, e.mark.column + 1, 0};
  if (e.mark.line < 0) s.line = s.column = 0;
  return JoinErrors({Diagnostic{s, "", "yaml: " + e.message}});
}

}  // namespace

Result<Decoded> DecodeString(std::string_view text, const std::string& source_name,
                             const DecodeOptions& options) {
  std::vector<std::string_view> texts = SplitIntoPieces(text, options.threads);
  std::vector<Piece> pieces(texts.size());
  int line = 0;
  for (size_t i = 0; i < texts.size(); i++) {
    pieces[i].text = texts[i];
    pieces[i].first_line = line;
    line += yaml::LineBreaks(texts[i]);
  }
  RunWorkers(pieces.size(), [&](size_t k) {
    Piece& p = pieces[k];
    p.parsed = yaml::Parse(p.text, p.tree, p.error, p.first_line);
  });
  bool parsed = std::all_of(pieces.begin(), pieces.end(), [](const Piece& p) { return p.parsed; });
  if (!parsed && pieces.size() > 1) {
    // The error as the whole input has it (a piece can end inside a broken construct).
    pieces.resize(1);
    pieces[0].text = text;
    pieces[0].parsed = yaml::Parse(text, pieces[0].tree, pieces[0].error);
  }
  if (!pieces[0].parsed) return Err(YamlError(source_name, pieces[0].error));
  for (size_t i = 1; i < pieces.size(); i++)
    pieces[i].first_document =
        pieces[i - 1].first_document + static_cast<int>(pieces[i - 1].tree.documents());
  RunWorkers(pieces.size(), [&](size_t k) {
    Piece& p = pieces[k];
    p.objects.reserve(p.tree.documents());
    try {
      Ctx c;
      c.file = source_name;
      c.errors = &p.errors;
      c.warnings = &p.warnings;
      c.keep_raw = options.keep_raw;
      for (size_t d = 0; d < p.tree.documents(); d++) {
        c.document = p.first_document + static_cast<int>(d);
        DecodeObject(c, p.tree.Document(d), p.objects);
      }
    } catch (const std::exception& e) {
      p.failure = e.what();
    }
  });
  Decoded result;
  if (pieces.size() == 1 && pieces[0].failure.empty() && pieces[0].errors.empty()) {
    result.objects = std::move(pieces[0].objects);
    result.warnings = std::move(pieces[0].warnings);
    return result;
  }
  size_t total = 0;
  for (const Piece& p : pieces) total += p.objects.size();
  result.objects.reserve(total);
  std::vector<Diagnostic> errors;
  for (Piece& p : pieces) {
    if (!p.failure.empty())
      return Err(ErrorCode::kInvalidArgument, "{}: decode: {}", source_name, p.failure);
    std::move(p.errors.begin(), p.errors.end(), std::back_inserter(errors));
    std::move(p.warnings.begin(), p.warnings.end(), std::back_inserter(result.warnings));
    std::move(p.objects.begin(), p.objects.end(), std::back_inserter(result.objects));
  }
  if (!errors.empty()) return Err(JoinErrors(errors));
  return result;
}

}  // namespace hp::k8s
