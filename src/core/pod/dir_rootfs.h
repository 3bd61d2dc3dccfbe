// hp/pod: a plain directory as the image (issue 5 allows a rootfs directory until the image
// store is used): the sandbox is an overlay with the directory as its read-only lower layer
// and a private upper layer in the container's scratch directory.
#pragma once

#include <string>

#include "core/pod/providers.h"

namespace hp::pod {

class DirRootfs : public RootfsProvider {
 public:
  // `config` is what the image "says" (env PATH etc.); its PATH defaults to the usual one.
  explicit DirRootfs(std::string dir, plan::ImageConfig config = {});
  Result<plan::ImageConfig> Config(const std::string& image) override;
  Result<Undo> Mount(const std::string& image, const std::string& target,
                     const std::string& scratch) override;

 private:
  std::string dir_;
  plan::ImageConfig config_;
};

}  // namespace hp::pod
