// hp/pod: the image store as the source of a container's files (RootfsProvider over
// hp/image's Store::Resolve and Store::MountRootfs: overlay of the unpacked layers, or a copy).
#pragma once

#include <string>

#include "core/image/store.h"
#include "core/pod/providers.h"

namespace hp::pod {

class StoreRootfs : public RootfsProvider {
 public:
  explicit StoreRootfs(image::Store store, image::RootfsOptions options = {})
      : store_(std::move(store)), options_(options) {}
  Result<plan::ImageConfig> Config(const std::string& image) override;
  Result<Undo> Mount(const std::string& image, const std::string& target,
                     const std::string& scratch) override;

 private:
  image::Store store_;
  image::RootfsOptions options_;
};

}  // namespace hp::pod
