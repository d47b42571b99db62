#include "host/matrix.h"

#include "common/error.h"
#include "common/text.h"
#include "host/backend_catalog.h"
#include "host/variants.h"
#include "host/workload_catalog.h"

#include <set>

namespace vswap {

std::string Cell::id() const {
    return "r" + std::to_string(repeat) + "_" + workload + "_" + backend + "_" + kernel;
}

std::vector<Combo> cross(const std::vector<std::string>& workloads,
                         const std::vector<std::string>& backends) {
    std::vector<Combo> combos;
    for (const auto& w : workloads) {
        for (const auto& b : backends)
            combos.push_back({w, b});
    }
    return combos;
}

MatrixSpec preset_matrix(const std::string& name, const std::vector<std::string>& kernels) {
    MatrixSpec m;
    m.name = name;
    m.kernels = kernels;
    if (name == "default") {
        m.combos = cross({"usemem", "usemem-random", "swapoff", "samefill", "pageswap", "pagecost"},
                         {"zswap", "disk"});
        for (const char* w : {"usemem", "usemem-random", "swapoff"})
            m.combos.push_back({w, "ramdisk"});
        m.combos.push_back({"kbuild", "zswap"});
        for (const char* w : {"usemem", "samefill", "pageswap"})
            m.combos.push_back({w, "zswap-only"});
        m.repeats = 5;
    } else if (name == "quick") {
        m.combos = {{"usemem", "zswap"},
                    {"samefill", "disk"},
                    {"swapoff", "zswap"},
                    {"usemem", "zswap-only"}};
        m.repeats = 3;
    } else {
        throw UserError("unknown matrix '" + name + "'", "use default or quick");
    }
    return m;
}

void validate_matrix(const MatrixSpec& spec) {
    if (spec.kernels.empty())
        throw UserError("the matrix has no kernel", "name at least one with --kernels");
    if (spec.combos.empty())
        throw UserError("the matrix has no workload and backend",
                        "name them with --workloads and --backends");
    if (spec.repeats == 0)
        throw UserError("the matrix has 0 repeats", "use --repeats 1 or more");
    std::set<std::string> seen;
    for (const auto& k : spec.kernels) {
        find_variant(k);
        if (!seen.insert(k).second)
            throw UserError("kernel '" + k + "' is named twice in the matrix");
    }
    for (const auto& c : spec.combos) {
        find_workload(c.workload);
        find_backend(c.backend);
    }
    for (size_t i = 0; i < spec.combos.size(); ++i) {
        for (size_t j = 0; j < i; ++j) {
            if (spec.combos[i] == spec.combos[j])
                throw UserError("workload " + spec.combos[i].workload + " on backend " +
                                spec.combos[i].backend + " is in the matrix twice");
        }
    }
    if (spec.timing != "icount" && spec.timing != "mttcg")
        throw UserError("unknown timing '" + spec.timing + "'", "use icount or mttcg");
    if (spec.mem_bytes < (128ull << 20))
        throw UserError("guest memory " + format_size(spec.mem_bytes) + " is too small",
                        "give the guest at least 128M");
}

std::vector<Cell> expand_matrix(const MatrixSpec& spec) {
    validate_matrix(spec);
    std::vector<Cell> cells;
    for (unsigned r = 1; r <= spec.repeats; ++r) {
        for (const auto& c : spec.combos) {
            for (const auto& k : spec.kernels)
                cells.push_back({k, c.workload, c.backend, r});
        }
    }
    return cells;
}

Shard parse_shard(const std::string& text) {
    auto parts = split(text, '/');
    auto number = [&](const std::string& s) -> unsigned {
        if (s.empty() || s.size() > 6 || s.find_first_not_of("0123456789") != std::string::npos)
            throw UserError("--shard '" + text + "' is not I/N", "write it like 2/4");
        return static_cast<unsigned>(std::stoul(s));
    };
    if (parts.size() != 2)
        throw UserError("--shard '" + text + "' is not I/N", "write it like 2/4");
    Shard s{number(parts[0]), number(parts[1])};
    if (s.count == 0 || s.index == 0 || s.index > s.count)
        throw UserError("--shard '" + text + "' is out of range",
                        "I must be between 1 and N, e.g. 1/2 and 2/2");
    return s;
}

std::vector<Cell> shard_cells(const std::vector<Cell>& cells, const Shard& shard) {
    std::vector<Cell> out;
    size_t group = 0;
    for (size_t i = 0; i < cells.size(); ++i) {
        // A new group starts where the (repeat, workload, backend) changes.
        if (i > 0 &&
            (cells[i].repeat != cells[i - 1].repeat || cells[i].workload != cells[i - 1].workload ||
             cells[i].backend != cells[i - 1].backend))
            ++group;
        if (group % shard.count == shard.index - 1)
            out.push_back(cells[i]);
    }
    return out;
}

void to_json(nlohmann::json& j, const Combo& c) {
    j = {{"workload", c.workload}, {"backend", c.backend}};
}

void from_json(const nlohmann::json& j, Combo& c) {
    j.at("workload").get_to(c.workload);
    j.at("backend").get_to(c.backend);
}

void to_json(nlohmann::json& j, const MatrixSpec& m) {
    j = {{"name", m.name},       {"kernels", m.kernels},     {"combos", m.combos},
         {"repeats", m.repeats}, {"mem_bytes", m.mem_bytes}, {"timing", m.timing},
         {"cpus", m.cpus}};
}

void from_json(const nlohmann::json& j, MatrixSpec& m) {
    j.at("name").get_to(m.name);
    j.at("kernels").get_to(m.kernels);
    j.at("combos").get_to(m.combos);
    j.at("repeats").get_to(m.repeats);
    j.at("mem_bytes").get_to(m.mem_bytes);
    j.at("timing").get_to(m.timing);
    j.at("cpus").get_to(m.cpus);
}

void to_json(nlohmann::json& j, const Cell& c) {
    j = {{"kernel", c.kernel},
         {"workload", c.workload},
         {"backend", c.backend},
         {"repeat", c.repeat}};
}

void from_json(const nlohmann::json& j, Cell& c) {
    j.at("kernel").get_to(c.kernel);
    j.at("workload").get_to(c.workload);
    j.at("backend").get_to(c.backend);
    j.at("repeat").get_to(c.repeat);
}

} // namespace vswap
