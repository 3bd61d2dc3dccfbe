#include "core/pod/store_rootfs.h"

#include <memory>

namespace hp::pod {

Result<plan::ImageConfig> StoreRootfs::Config(const std::string& image) {
  ASSIGN_OR_RETURN(image::ImageRecord rec, store_.Resolve(image));
  plan::ImageConfig c;
  c.env = rec.config.env;
  c.working_dir = rec.config.working_dir;
  c.entrypoint = rec.config.entrypoint;
  c.cmd = rec.config.cmd;
  c.user = rec.config.user;
  c.os = rec.config.os;
  return c;
}

Result<Undo> StoreRootfs::Mount(const std::string& image, const std::string& target,
                                const std::string& scratch) {
  ASSIGN_OR_RETURN(image::ImageRecord rec, store_.Resolve(image));
  ASSIGN_OR_RETURN(image::Rootfs rootfs, store_.MountRootfs(rec, target, scratch, options_));
  auto owned = std::make_shared<image::Rootfs>(std::move(rootfs));
  return Undo([owned]() -> Status { return owned->Unmount(); });
}

}  // namespace hp::pod
