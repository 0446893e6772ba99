// WriteFileAtomically (core/atomic_file.h): temporary file, fsync, rename, fsync of the directory.
#include "riskradar/core/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace riskradar {

Status WriteFileAtomically(const std::filesystem::path& path, std::string_view content, unsigned permissions) {
  std::filesystem::path dir = path.parent_path();
  if (dir.empty()) dir = ".";
  auto error = [&](std::string_view what) {
    return Status::IoError(path.string() + ": " + std::string(what) + ": " + std::strerror(errno));
  };
  std::string temp_name = ".";  // not `"." + std::string`: GCC 12's false -Wrestrict at -O3 (GCC bug 105651)
  temp_name.append(path.filename().string()).append(".tmp-XXXXXX");
  std::string temp = (dir / temp_name).string();
  const int fd = ::mkstemp(temp.data());
  if (fd < 0) return error("cannot create a temporary file in " + dir.string());
  auto fail = [&](std::string_view what) {
    Status status = error(what);
    ::close(fd);
    ::unlink(temp.c_str());
    return status;
  };
  size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("write failed");
    }
    written += static_cast<size_t>(n);
  }
  // mkstemp creates 0600; the mode asked for is set explicitly, so the umask never widens (or narrows) it.
  if (::fchmod(fd, static_cast<mode_t>(permissions)) != 0) return fail("chmod failed");
  if (::fsync(fd) != 0) return fail("fsync failed");
  if (::close(fd) != 0) {
    Status status = error("close failed");
    ::unlink(temp.c_str());
    return status;
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    Status status = error("cannot rename into place");
    ::unlink(temp.c_str());
    return status;
  }
  // The rename is durable only once the directory entry is on disk.
  const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0) return error("cannot open the directory to fsync it");
  const bool synced = ::fsync(dir_fd) == 0;
  Status status = synced ? Status::Ok() : error("fsync of the directory failed");
  ::close(dir_fd);
  return status;
}

}  // namespace riskradar
