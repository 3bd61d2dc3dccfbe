// hp/k8s: Kubernetes resource quantities ("100m", "1.5", "128Mi", "1G", "1e3").
//
// A Quantity keeps the string from the manifest and an exact value in nano-units (a 128-bit
// scaled integer), parsed with the rules and error messages of k8s.io/apimachinery's
// resource.ParseQuantity: values finer than 1n round up (away from zero), binary-suffixed
// values are capped at 2^63-1, String() is Kubernetes' canonical form ("1500m", "1Gi", "1k").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/base/result.h"

namespace hp::k8s {

struct Quantity {
  enum class Format { kDecimalSI, kBinarySI, kDecimalExponent };

  std::string original;  // as written in the manifest
  __int128 nanos = 0;    // value × 10^9, exact
  Format format = Format::kDecimalSI;

  // Value rounded up to an integer (Kubernetes' Quantity.Value()).
  int64_t Value() const;
  // Value × 1000 rounded up (Kubernetes' Quantity.MilliValue()).
  int64_t MilliValue() const;
  bool IsZero() const { return nanos == 0; }
  int Sign() const { return nanos < 0 ? -1 : (nanos > 0 ? 1 : 0); }
  // -1, 0, 1 like Kubernetes' Quantity.Cmp.
  int Cmp(const Quantity& other) const;
  // Canonical form, as Kubernetes' Quantity.String().
  std::string String() const;
};

// Parses Kubernetes quantity syntax. Errors carry Kubernetes' messages, e.g.
// "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'".
Result<Quantity> ParseQuantity(std::string_view s);

// The messages of resource.ErrFormatWrong, ErrSuffix and ErrNumeric.
extern const char* const kQuantityErrFormatWrong;
extern const char* const kQuantityErrSuffix;
extern const char* const kQuantityErrNumeric;

}  // namespace hp::k8s
