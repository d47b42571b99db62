#include "common/process.h"
#include "common/text.h"

#include <gtest/gtest.h>

using namespace vswap;

TEST(Text, ParseSize) {
    EXPECT_EQ(parse_size("4096"), 4096u);
    EXPECT_EQ(parse_size("64k"), 65536u);
    EXPECT_EQ(parse_size("256M"), 256ull << 20);
    EXPECT_EQ(parse_size("2G"), 2ull << 30);
    EXPECT_EQ(parse_size("1GiB"), 1ull << 30);
    EXPECT_FALSE(parse_size("").has_value());
    EXPECT_FALSE(parse_size("M").has_value());
    EXPECT_FALSE(parse_size("12X").has_value());
    EXPECT_FALSE(parse_size("-1G").has_value());
    EXPECT_FALSE(parse_size("99999999999999999999").has_value());
    EXPECT_FALSE(parse_size("99999999999T").has_value());
}

TEST(Text, LinesAndTails) {
    EXPECT_EQ(split_lines("a\r\nb\n"), (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(last_lines("1\n2\n3\n4\n", 2), "3\n4");
    EXPECT_EQ(trim("  x y \n"), "x y");
    EXPECT_EQ(split("a,,b", ','), (std::vector<std::string>{"a", "", "b"}));
}

TEST(Text, ShellQuoting) {
    EXPECT_EQ(shell_quote("plain-word_1.0"), "plain-word_1.0");
    EXPECT_EQ(shell_quote("two words"), "'two words'");
    EXPECT_EQ(shell_quote("it's"), "'it'\\''s'");
    EXPECT_EQ(shell_quote(""), "''");
    EXPECT_EQ(shell_join({"echo", "a b"}), "echo 'a b'");
}

TEST(Text, ContentHashIsStable) {
    EXPECT_EQ(content_hash(""), "cbf29ce484222325");
    EXPECT_NE(content_hash("a"), content_hash("b"));
}

TEST(Process, RunCapturesOutputAndStatus) {
    RunResult r = run({"sh", "-c", "echo out; echo err >&2; exit 3"});
    EXPECT_EQ(r.code, 3);
    EXPECT_NE(r.output.find("out"), std::string::npos);
    EXPECT_NE(r.output.find("err"), std::string::npos);
    RunOptions o;
    o.env = {{"VSWAP_TEST_VAR", "42"}};
    EXPECT_EQ(trim(run({"sh", "-c", "echo $VSWAP_TEST_VAR"}, o).output), "42");
}

TEST(Text, SplitWords) {
    EXPECT_EQ(split_words("  -qmp unix:/tmp/q,server=on\t-s \n"),
              (std::vector<std::string>{"-qmp", "unix:/tmp/q,server=on", "-s"}));
    EXPECT_TRUE(split_words(" \t").empty());
}
