#include "host/boot_result.h"

#include "common/text.h"

namespace vswap {

std::optional<std::string> BootResult::failure() const {
    if (timed_out)
        return "guest timed out after " + std::to_string(static_cast<long>(timeout_s)) + " s";
    if (!splats.empty())
        return "kernel reported " + std::to_string(splats.size()) +
               " problem(s), first: " + splats.front().kind + " at console line " +
               std::to_string(splats.front().line);
    if (reports_exit_status && !exit_status)
        return "guest ended without reporting an exit status (panic or early boot failure)";
    return std::nullopt;
}

void to_json(nlohmann::json& j, const Splat& s) {
    j = {{"kind", s.kind}, {"line", s.line}, {"text", s.text}};
}

void from_json(const nlohmann::json& j, Splat& s) {
    j.at("kind").get_to(s.kind);
    j.at("line").get_to(s.line);
    j.at("text").get_to(s.text);
}

void to_json(nlohmann::json& j, const BootResult& r) {
    auto f = r.failure();
    j = {{"kernel", r.kernel},
         {"command", r.command},
         {"exit_status", r.exit_status ? nlohmann::json(*r.exit_status) : nlohmann::json()},
         {"reports_exit_status", r.reports_exit_status},
         {"timed_out", r.timed_out},
         {"timeout_s", r.timeout_s},
         {"seconds", r.seconds},
         {"run_dir", r.run_dir},
         {"splats", r.splats},
         {"console_tail", r.console_tail},
         {"stdout", r.stdout_text},
         {"stderr", r.stderr_text},
         {"passed", r.passed()},
         {"failure", f ? nlohmann::json(*f) : nlohmann::json()}};
}

void from_json(const nlohmann::json& j, BootResult& r) {
    j.at("kernel").get_to(r.kernel);
    j.at("command").get_to(r.command);
    r.exit_status = j.at("exit_status").is_null()
                        ? std::nullopt
                        : std::optional<int>(j.at("exit_status").get<int>());
    r.reports_exit_status = j.value("reports_exit_status", true);
    j.at("timed_out").get_to(r.timed_out);
    j.at("timeout_s").get_to(r.timeout_s);
    j.at("seconds").get_to(r.seconds);
    j.at("run_dir").get_to(r.run_dir);
    j.at("splats").get_to(r.splats);
    j.at("console_tail").get_to(r.console_tail);
    j.at("stdout").get_to(r.stdout_text);
    j.at("stderr").get_to(r.stderr_text);
}

} // namespace vswap
