#include "host/run_record.h"

#include "common/error.h"
#include "common/text.h"
#include "host/boot_result.h"

namespace vswap {

std::string status_name(RunStatus s) {
    switch (s) {
    case RunStatus::Ok:
        return "ok";
    case RunStatus::Failed:
        return "failed";
    case RunStatus::NotSupported:
        return "not-supported";
    }
    return "?";
}

namespace {

RunStatus parse_status(const std::string& s) {
    for (auto status : {RunStatus::Ok, RunStatus::Failed, RunStatus::NotSupported}) {
        if (status_name(status) == s)
            return status;
    }
    throw UserError("unknown status '" + s + "'");
}

} // namespace

void to_json(nlohmann::json& j, const RunRecord& r) {
    j = {{"schema", RunRecord::kSchema},
         {"id", r.cell.id()},
         {"cell", r.cell},
         {"status", status_name(r.status)},
         {"reason", r.reason},
         {"harness_version", r.harness_version},
         {"kernel",
          {{"variant", r.kernel.variant},
           {"config_hash", r.kernel.config_hash},
           {"image_hash", r.kernel.image_hash},
           {"virtual_swap", r.kernel.virtual_swap}}},
         {"config", r.config},
         {"started_at", r.started_at},
         {"host_seconds", r.host_seconds},
         {"console_verdict", r.console_verdict},
         {"splats", r.splats},
         {"console_tail", r.console_tail},
         {"metrics", r.metrics},
         {"guest", r.guest},
         {"run_dir", r.run_dir}};
}

void from_json(const nlohmann::json& j, RunRecord& r) {
    try {
        if (!j.is_object())
            throw UserError("not a JSON object");
        if (j.value("schema", "") != RunRecord::kSchema)
            throw UserError("schema is not " + std::string(RunRecord::kSchema));
        j.at("cell").get_to(r.cell);
        r.status = parse_status(j.at("status").get<std::string>());
        j.at("reason").get_to(r.reason);
        j.at("harness_version").get_to(r.harness_version);
        const auto& k = j.at("kernel");
        k.at("variant").get_to(r.kernel.variant);
        k.at("config_hash").get_to(r.kernel.config_hash);
        k.at("image_hash").get_to(r.kernel.image_hash);
        k.at("virtual_swap").get_to(r.kernel.virtual_swap);
        if (r.kernel.variant != r.cell.kernel)
            throw UserError("kernel.variant '" + r.kernel.variant + "' differs from cell.kernel '" +
                            r.cell.kernel + "'");
        r.config = j.at("config");
        j.at("started_at").get_to(r.started_at);
        j.at("host_seconds").get_to(r.host_seconds);
        j.at("console_verdict").get_to(r.console_verdict);
        j.at("splats").get_to(r.splats);
        j.at("console_tail").get_to(r.console_tail);
        r.metrics.clear();
        for (const auto& [name, value] : j.at("metrics").items()) {
            if (!value.is_number())
                throw UserError("metric '" + name + "' is not a number");
            r.metrics[name] = value.get<double>();
        }
        r.guest = j.at("guest");
        j.at("run_dir").get_to(r.run_dir);
        if (j.contains("id") && j["id"] != r.cell.id())
            throw UserError("id '" + j["id"].get<std::string>() + "' does not match its cell (" +
                            r.cell.id() + ")");
    } catch (const nlohmann::json::exception& e) {
        throw UserError(e.what());
    }
}

RunRecord load_run_record(const std::filesystem::path& path) {
    const std::string text = read_file(path);
    try {
        RunRecord r = nlohmann::json::parse(text);
        return r;
    } catch (const nlohmann::json::parse_error& e) {
        throw UserError("corrupt result JSON " + path.string() + ": " + e.what(),
                        "delete it and run that cell again");
    } catch (const UserError& e) {
        throw UserError("corrupt result JSON " + path.string() + ": " + e.cause(),
                        "delete it and run that cell again");
    }
}

void save_run_record(const std::filesystem::path& path, const RunRecord& r) {
    write_file_atomic(path, nlohmann::json(r).dump(2) + "\n");
}

} // namespace vswap
