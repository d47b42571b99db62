#include "host/kbuild_kit.h"

#include "common/error.h"
#include "common/process.h"
#include "common/text.h"
#include "host/git.h"

#include <nlohmann/json.hpp>
#include <set>

namespace vswap {
namespace fs = std::filesystem;
namespace {

// Bump when the kit's layout or recipe changes, so old kits are remade.
constexpr const char* kRecipe = "kbuild-kit/1";
// Where the guest unpacks the kit (inside the host-root chroot).
constexpr const char* kGuestRoot = "/tmp/kbuild";

void replace_all(std::string& s, const std::string& from, const std::string& to) {
    for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
        s.replace(at, from.size(), to);
}

std::string saved_command(const fs::path& obj_dir, const std::string& object) {
    fs::path o(object);
    fs::path cmd = obj_dir / o.parent_path() / ("." + o.filename().string() + ".cmd");
    auto text = read_file_if_exists(cmd);
    if (!text)
        throw UserError("kbuild kit: " + cmd.string() + " is missing",
                        "build a kernel first ('scripts/vswap kernel build baseline')");
    return split_lines(*text).at(0);
}

} // namespace

const std::vector<std::string>& kbuild_objects() {
    static const std::vector<std::string> objects = {
        "mm/page_io.o",
    };
    return objects;
}

std::string kit_compile_command(const std::string& saved_cmd, const std::string& tree,
                                const std::string& src, const std::string& out) {
    std::string cmd = saved_cmd;
    if (size_t at = cmd.find(" := "); at != std::string::npos && cmd.rfind("savedcmd_", 0) == 0)
        cmd = cmd.substr(at + 4);
    if (size_t semi = cmd.find(';'); semi != std::string::npos)
        cmd = cmd.substr(0, semi); // drop the objtool step
    cmd = trim(cmd);
    if (cmd.rfind("ccache ", 0) == 0)
        cmd = cmd.substr(7);
    if (size_t at = cmd.find("-Wp,-MMD,"); at != std::string::npos) {
        size_t end = cmd.find(' ', at);
        cmd.erase(at, end == std::string::npos ? std::string::npos : end - at + 1);
    }
    size_t o = cmd.find(" -o ");
    if (o == std::string::npos)
        throw UserError("kbuild kit: no -o in the compile command: " + saved_cmd.substr(0, 80));
    size_t start = o + 4, end = cmd.find(' ', start);
    cmd.replace(start, end - start, out);
    replace_all(cmd, tree + "/", src + "/");
    return cmd;
}

std::vector<std::string> parse_depfile(const std::string& text) {
    std::string flat = text;
    replace_all(flat, "\\\n", " ");
    std::vector<std::string> files;
    for (const auto& line : split_lines(flat)) {
        size_t colon = line.find(": ");
        if (colon == std::string::npos)
            continue;
        std::string rest = line.substr(colon + 2);
        for (const auto& word : split(rest, ' ')) {
            std::string w = trim(word);
            if (!w.empty())
                files.push_back(w);
        }
    }
    return files;
}

KbuildKit prepare_kbuild_kit(const Paths& paths, Progress& progress) {
    const fs::path dir = paths.build() / "kbuild";
    KbuildKit kit;
    kit.tar = dir / "kit.tar";
    kit.guest_path = "/host" + fs::weakly_canonical(fs::absolute(kit.tar)).string();
    kit.objects = kbuild_objects();
    std::string objects_key = kRecipe;
    for (const auto& o : kit.objects)
        objects_key += " " + o;
    if (auto stamp = read_file_if_exists(dir / "kit.json"); stamp && fs::exists(kit.tar)) {
        try {
            auto j = nlohmann::json::parse(*stamp);
            if (j.at("recipe") == objects_key) {
                kit.hash = j.at("hash");
                return kit;
            }
        } catch (const nlohmann::json::exception&) {
        }
    }

    // A configured object tree supplies kbuild's compile flags and the
    // generated headers; the sources come from the pristine base commit.
    fs::path obj;
    for (const char* v : {"baseline", "vswap-off", "vswap", "debug"}) {
        fs::path candidate = paths.obj(v);
        bool usable = fs::exists(candidate / "include/generated/autoconf.h");
        for (const auto& o : kit.objects) {
            fs::path p(o);
            usable = usable && fs::exists(candidate / p.parent_path() /
                                          ("." + p.filename().string() + ".cmd"));
        }
        if (usable) {
            obj = candidate;
            break;
        }
    }
    if (obj.empty())
        throw UserError("kbuild kit: no built kernel object tree under " +
                            (paths.build() / "obj").string(),
                        "build a kernel first ('scripts/vswap kernel build baseline')");
    const fs::path repo = paths.series_tree();
    if (!git_ref_exists(repo, "vswap-base"))
        throw UserError("kbuild kit: " + repo.string() + " has no vswap-base commit",
                        "run 'scripts/vswap kernel source'");
    std::error_code ec;
    fs::path tree = fs::read_symlink(obj / "source", ec);
    if (ec)
        throw UserError("kbuild kit: " + (obj / "source").string() +
                        " does not point at the kernel tree it was built from");
    tree = fs::weakly_canonical(tree);
    progress.info("making the kbuild kit from vswap-base and " + obj.string());

    const fs::path stage = dir / "stage";
    fs::remove_all(stage);
    fs::create_directories(stage / "src");
    fs::create_directories(stage / "obj");
    std::set<std::string> dirs = {"include", "arch/x86/include"};
    for (const auto& o : kit.objects)
        dirs.insert(fs::path(o).parent_path().string());
    std::vector<std::string> archive = {"git", "-C", repo.string(), "archive", "vswap-base"};
    archive.insert(archive.end(), dirs.begin(), dirs.end());
    run_checked(
        {"sh", "-c", shell_join(archive) + " | tar -x -C " + shell_quote((stage / "src").string())},
        {}, "is the kernel source intact? ('scripts/vswap kernel source')");
    for (const char* gen : {"include/generated", "arch/x86/include/generated"}) {
        fs::create_directories(stage / "obj" / gen);
        fs::copy(obj / gen, stage / "obj" / gen, fs::copy_options::recursive);
    }

    // gcc -M on the host lists every file each object reads.
    std::set<std::string> files;
    std::string makefile = "# Made by vswap-harness (" + std::string(kRecipe) +
                           "): kbuild's compile commands for a fixed set of objects of "
                           "vswap-base.\nOUT ?= " +
                           kGuestRoot + "/out\nOBJS :=";
    for (const auto& o : kit.objects)
        makefile += " $(OUT)/" + o;
    makefile += "\nall: $(OBJS)\n";
    const std::string stage_src = fs::absolute(stage / "src").string();
    for (const auto& o : kit.objects) {
        std::string saved = saved_command(obj, o);
        std::string deps =
            (fs::absolute(stage) / (fs::path(o).filename().string() + ".d")).string();
        std::string host_cmd = kit_compile_command(saved, tree.string(), stage_src, "/dev/null");
        replace_all(host_cmd, "-c -o /dev/null", "-M -MF " + shell_quote(deps));
        RunOptions in_obj;
        in_obj.cwd = stage / "obj";
        run_checked({"sh", "-c", host_cmd}, in_obj,
                    "the kbuild kit cannot compute the dependencies of " + o);
        for (const auto& f : parse_depfile(read_file(deps))) {
            std::string rel;
            if (f.rfind(stage_src + "/", 0) == 0)
                rel = "src/" + f.substr(stage_src.size() + 1);
            else if (f[0] != '/')
                rel = "obj/" + (f.rfind("./", 0) == 0 ? f.substr(2) : f);
            else
                throw UserError("kbuild kit: " + o + " reads " + f + ", outside the kit");
            files.insert(rel);
        }
        std::string guest_cmd =
            kit_compile_command(saved, tree.string(), std::string(kGuestRoot) + "/src", "$@");
        replace_all(guest_cmd, "$", "$$");
        replace_all(guest_cmd, "$$@", "$@");
        makefile += "$(OUT)/" + o + ":\n\t@mkdir -p $(dir $@)\n\tcd " + kGuestRoot + "/obj && " +
                    guest_cmd + "\n";
    }
    write_file_atomic(stage / "Makefile", makefile);
    std::string list = "Makefile\n";
    for (const auto& f : files)
        list += f + "\n";
    write_file_atomic(dir / "files.txt", list);
    run_checked({"tar", "-c", "-f", (dir / "kit.tar.tmp").string(), "-C", stage.string(),
                 "--owner=0", "--group=0", "--mtime=@0", "--sort=name", "-T",
                 (dir / "files.txt").string()},
                {}, "is tar installed?");
    fs::rename(dir / "kit.tar.tmp", kit.tar);
    kit.guest_path = "/host" + fs::canonical(kit.tar).string(); // symlinks resolved on the host
    fs::remove_all(stage);
    kit.hash = content_hash(read_file(kit.tar));
    write_file_atomic(dir / "kit.json",
                      nlohmann::json{{"recipe", objects_key},
                                     {"hash", kit.hash},
                                     {"objects", kit.objects},
                                     {"flags_from", obj.string()},
                                     {"source", "vswap-base " + git_rev(repo, "vswap-base")},
                                     {"files", files.size()}}
                              .dump(2) +
                          "\n");
    progress.info("kbuild kit: " + std::to_string(files.size()) + " files, " +
                  format_size(fs::file_size(kit.tar)) + " (" + kit.tar.string() + ")");
    return kit;
}

} // namespace vswap
