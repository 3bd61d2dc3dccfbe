// hp/k8s: the size limits a Kubernetes API server puts on what it is sent and what it stores,
// with the words it answers (docs/validate.md, "Input limits").
//
//   - k8s.io/apiserver pkg/server/config.go: MaxRequestBodyBytes = 3 * 1024 * 1024, "2x" etcd's
//     limit because a JSON body shrinks when stored as protobuf; handlers/rest.go
//     limitedReadBody reads limit + 1 bytes and answers 413 RequestEntityTooLarge
//     "Request entity too large: limit is 3145728".
//   - etcd server/embed/config.go: DefaultMaxRequestBytes = 1.5 * 1024 * 1024; a larger write
//     fails with "etcdserver: request is too large", which the API server passes on.
#pragma once

#include <cstddef>
#include <string>

namespace hp::k8s {

inline constexpr size_t kMaxRequestBodyBytes = 3 * 1024 * 1024;
inline constexpr size_t kEtcdMaxRequestBytes = 3 * 512 * 1024;

// "Request entity too large: limit is 3145728"
std::string RequestEntityTooLargeMessage();
inline constexpr const char* kEtcdRequestTooLarge = "etcdserver: request is too large";

}  // namespace hp::k8s
