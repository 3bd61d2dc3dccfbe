// The pod's volumes (validateVolumes and validateVolumeSource), in the API server's order
// (pkg/apis/core/validation/validation.go).
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "core/base/strings.h"
#include "core/k8s/validation.h"
#include "core/k8s/validation_internal.h"

namespace hp::k8s {

using namespace internal;

namespace {

const char* kFileMode = "must be a number between 0 and 0777 (octal), both inclusive";

ErrorList ValidateKeyToPath(const KeyToPath& kp, const std::string& path) {
  ErrorList errs;
  if (kp.key.empty()) errs.push_back(field::Required(Child(path, "key"), ""));
  if (kp.path.empty()) errs.push_back(field::Required(Child(path, "path"), ""));
  Append(errs, ValidateLocalNonReservedPath(kp.path, Child(path, "path")));
  if (kp.mode && (*kp.mode > 0777 || *kp.mode < 0))
    errs.push_back(field::Invalid(Child(path, "mode"), field::Int(*kp.mode), kFileMode));
  return errs;
}

void Mode(ErrorList& errs, const std::optional<int32_t>& mode, const std::string& path) {
  if (mode && (*mode > 0777 || *mode < 0))
    errs.push_back(field::Invalid(path, field::Int(*mode), kFileMode));
}

ErrorList ValidateDownwardAPIFile(const DownwardAPIVolumeFile& f, const std::string& path) {
  ErrorList errs;
  if (f.path.empty()) errs.push_back(field::Required(Child(path, "path"), ""));
  Append(errs, ValidateLocalNonReservedPath(f.path, Child(path, "path")));
  if (f.field_ref) {
    if (f.resource_field_ref)
      errs.push_back(
          field::Invalid(path, field::Str("resource"),
                         "fieldRef and resourceFieldRef can not be specified simultaneously"));
  } else if (!f.resource_field_ref) {
    errs.push_back(field::Required(path, "one of fieldRef and resourceFieldRef is required"));
  }
  Mode(errs, f.mode, Child(path, "mode"));
  return errs;
}

ErrorList ValidateVolumeSource(const Volume& v, const std::string& path) {
  ErrorList errs;
  int n = 0;
  auto more = [&](const char* name) {
    errs.push_back(field::Forbidden(Child(path, name), "may not specify more than 1 volume type"));
  };
  if (v.empty_dir) {
    n++;
    if (v.empty_dir->size_limit && v.empty_dir->size_limit->Sign() < 0)
      errs.push_back(field::Forbidden(Child(path, "emptyDir.sizeLimit"),
                                      "SizeLimit field must be a valid resource quantity"));
  }
  if (v.host_path) {
    if (n > 0) {
      more("hostPath");
    } else {
      n++;
      std::string hp = Child(path, "hostPath");
      if (v.host_path->path.empty()) {
        errs.push_back(field::Required(Child(hp, "path"), ""));
      } else {
        Append(errs, ValidatePathNoBacksteps(v.host_path->path, Child(hp, "path")));
        static const std::vector<std::string> kTypes = {
            "",     "BlockDevice",  "CharDevice", "Directory", "DirectoryOrCreate",
            "File", "FileOrCreate", "Socket"};
        if (v.host_path->type &&
            std::find(kTypes.begin(), kTypes.end(), *v.host_path->type) == kTypes.end())
          errs.push_back(
              field::NotSupported(Child(hp, "type"), field::Str(*v.host_path->type), kTypes));
      }
    }
  }
  if (v.secret) {
    if (n > 0) {
      more("secret");
    } else {
      n++;
      std::string sp = Child(path, "secret");
      if (v.secret->secret_name.empty())
        errs.push_back(field::Required(Child(sp, "secretName"), ""));
      Mode(errs, v.secret->default_mode, Child(sp, "defaultMode"));
      for (size_t i = 0; i < v.secret->items.size(); i++)
        Append(errs, ValidateKeyToPath(v.secret->items[i], Index(Child(sp, "items"), i)));
    }
  }
  if (v.downward_api) {
    if (n > 0) {
      more("downwardAPI");
    } else {
      n++;
      std::string dp = Child(path, "downwardAPI");
      Mode(errs, v.downward_api->default_mode, Child(dp, "defaultMode"));
      for (const auto& f : v.downward_api->items) Append(errs, ValidateDownwardAPIFile(f, dp));
    }
  }
  if (v.config_map) {
    if (n > 0) {
      more("configMap");
    } else {
      n++;
      std::string cp = Child(path, "configMap");
      if (v.config_map->name.empty()) errs.push_back(field::Required(Child(cp, "name"), ""));
      Mode(errs, v.config_map->default_mode, Child(cp, "defaultMode"));
      for (size_t i = 0; i < v.config_map->items.size(); i++)
        Append(errs, ValidateKeyToPath(v.config_map->items[i], Index(Child(cp, "items"), i)));
    }
  }
  if (v.projected) {
    if (n > 0) {
      more("projected");
    } else {
      n++;
      std::string pp = Child(path, "projected");
      Mode(errs, v.projected->default_mode, Child(pp, "defaultMode"));
      std::set<std::string> paths;
      for (size_t i = 0; i < v.projected->sources.size(); i++) {
        const VolumeProjection& src = v.projected->sources[i];
        std::string sp = Index(Child(pp, "sources"), i);
        int sources = 0;
        auto key_paths = [&](const std::string& name, const std::vector<KeyToPath>& items,
                             const std::string& proj) {
          if (name.empty()) errs.push_back(field::Required(Child(proj, "name"), ""));
          for (size_t j = 0; j < items.size(); j++) {
            Append(errs, ValidateKeyToPath(items[j], Index(Child(proj, "items"), j)));
            if (!items[j].path.empty() && !paths.insert(items[j].path).second)
              errs.push_back(field::Invalid(pp, field::Str(name), "conflicting duplicate paths"));
          }
        };
        if (src.secret) {
          sources++;
          key_paths(src.secret->name, src.secret->items, Child(sp, "secret"));
        }
        if (src.config_map) {
          sources++;
          key_paths(src.config_map->name, src.config_map->items, Child(sp, "configMap"));
        }
        if (src.downward_api) {
          sources++;
          for (const auto& f : src.downward_api->items) {
            Append(errs, ValidateDownwardAPIFile(f, Child(sp, "downwardAPI")));
            if (!f.path.empty() && !paths.insert(f.path).second)
              errs.push_back(field::Invalid(pp, field::Str(f.path), "conflicting duplicate paths"));
          }
        }
        if (src.service_account_token) {
          sources++;
          const auto& t = *src.service_account_token;
          std::string tp = Child(sp, "serviceAccountToken");
          int64_t exp = t.expiration_seconds.value_or(3600);
          if (exp < 600)
            errs.push_back(field::Invalid(Child(tp, "expirationSeconds"), field::Int(exp),
                                          "may not specify a duration less than 10 minutes"));
          if (exp > (int64_t{1} << 32))
            errs.push_back(field::Invalid(Child(tp, "expirationSeconds"), field::Int(exp),
                                          "may not specify a duration larger than 2^32 seconds"));
          if (t.path.empty()) {
            errs.push_back(field::Required(Child(pp, "path"), ""));
          } else {
            Append(errs, ValidateLocalNonReservedPath(t.path, Child(pp, "path")));
          }
        }
        if (sources > 1)
          errs.push_back(
              field::Forbidden(sp, "may not specify more than 1 volume type per source"));
      }
    }
  }
  if (!v.other_types.empty()) {
    if (n > 0) {
      more(v.other_types[0].c_str());
    } else {
      n++;
    }
  }
  if (n == 0) errs.push_back(field::Required(path, "must specify a volume type"));
  return errs;
}

}  // namespace

namespace internal {

// ValidateVolumes: returns the names of the valid volumes.
ErrorList ValidateVolumes(const std::vector<Volume>& volumes, const std::string& path,
                          std::set<std::string>& valid) {
  ErrorList errs;
  std::set<std::string> all;
  for (size_t i = 0; i < volumes.size(); i++) {
    const Volume& v = volumes[i];
    std::string ip = Index(path, i);
    std::string np = Child(ip, "name");
    ErrorList el = ValidateVolumeSource(v, ip);
    if (v.name.empty()) {
      el.push_back(field::Required(np, ""));
    } else {
      InvalidEach(el, np, field::Str(v.name), names::IsDNS1123Label(v.name));
    }
    if (all.count(v.name)) el.push_back(field::Duplicate(np, field::Str(v.name)));
    if (el.empty()) {
      all.insert(v.name);
      valid.insert(v.name);
    } else {
      Append(errs, std::move(el));
    }
  }
  return errs;
}

}  // namespace internal
}  // namespace hp::k8s
