#include "core/windows/account.h"

#include <gtest/gtest.h>

#include <cctype>
#include <set>
#include <vector>

namespace hp::windows {
namespace {

class Groups : public GroupProbe {
 public:
  explicit Groups(std::set<std::string> names) : names_(std::move(names)) {}
  bool GroupExists(const std::string& name) const override { return names_.count(name) > 0; }

 private:
  std::set<std::string> names_;
};

const std::map<std::string, std::string> kNone;
const char kId[] = "0123456789abcdef0123456789abcdef";

TEST(WindowsAccount, InheritUserAnnotationComesFirst) {
  Groups groups({"Administrators"});
  auto a = ClassifyAccount({{std::string(kInheritUserAnnotation), "true"}}, "Administrators", kId,
                           groups);
  EXPECT_EQ(a->kind, AccountKind::kInherit);
  auto b = ClassifyAccount({{std::string(kInheritUserAnnotation), "True"}}, "NT AUTHORITY\\SYSTEM",
                           kId, groups);
  EXPECT_EQ(b->kind, AccountKind::kService);  // only "true" counts, as in hcsshim
}

TEST(WindowsAccount, ALocalGroupGetsAnEphemeralUserNamedAfterTheContainer) {
  Groups groups({"Administrators", "SYSTEM"});
  auto a = ClassifyAccount(kNone, "Administrators", kId, groups);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->kind, AccountKind::kEphemeral);
  EXPECT_EQ(a->group, "Administrators");
  EXPECT_EQ(a->user, "0123456789abcdef0123");  // 20 characters
  // The group check comes before the well-known names.
  EXPECT_EQ(ClassifyAccount(kNone, "SYSTEM", kId, groups)->kind, AccountKind::kEphemeral);
}

TEST(WindowsAccount, ServiceAccountsInEverySpelling) {
  Groups groups({});
  struct Case {
    const char* name;
    const char* canonical;
    const char* sid;
  };
  for (const Case& c : std::initializer_list<Case>{
           {"NT AUTHORITY\\SYSTEM", "SYSTEM", "S-1-5-18"},
           {"nt authority\\system", "SYSTEM", "S-1-5-18"},
           {"NT AUTHORITY\\LocalSystem", "SYSTEM", "S-1-5-18"},
           {"SYSTEM", "SYSTEM", "S-1-5-18"},
           {"S-1-5-18", "SYSTEM", "S-1-5-18"},
           {"NT AUTHORITY\\Local service", "LOCAL SERVICE", "S-1-5-19"},
           {"NT AUTHORITY\\LOCAL SERVICE", "LOCAL SERVICE", "S-1-5-19"},
           {"NT AUTHORITY\\LocalService", "LOCAL SERVICE", "S-1-5-19"},
           {"LocalService", "LOCAL SERVICE", "S-1-5-19"},
           {"NT AUTHORITY\\NetworkService", "NETWORK SERVICE", "S-1-5-20"},
           {"NT Authority\\Network Service", "NETWORK SERVICE", "S-1-5-20"},
           {"s-1-5-20", "NETWORK SERVICE", "S-1-5-20"},
       }) {
    auto a = ClassifyAccount(kNone, c.name, kId, groups);
    ASSERT_TRUE(a) << c.name;
    EXPECT_EQ(a->kind, AccountKind::kService) << c.name;
    EXPECT_EQ(a->domain, "NT AUTHORITY") << c.name;
    EXPECT_EQ(a->user, c.canonical) << c.name;
    EXPECT_EQ(a->sid, c.sid) << c.name;
  }
}

TEST(WindowsAccount, OtherNamesAreUsers) {
  Groups groups({});
  auto a = ClassifyAccount(kNone, "CONTOSO\\svc-agent", kId, groups);
  EXPECT_EQ(a->kind, AccountKind::kUser);
  EXPECT_EQ(a->domain, "CONTOSO");
  EXPECT_EQ(a->user, "svc-agent");
  auto b = ClassifyAccount(kNone, "localuser", kId, groups);
  EXPECT_EQ(b->kind, AccountKind::kUser);
  EXPECT_EQ(b->domain, "");
  // Not a service account: another domain, or another NT AUTHORITY name.
  EXPECT_EQ(ClassifyAccount(kNone, "HOST\\SYSTEM", kId, groups)->kind, AccountKind::kUser);
  EXPECT_EQ(ClassifyAccount(kNone, "NT AUTHORITY\\IUSR", kId, groups)->kind, AccountKind::kUser);
  EXPECT_FALSE(ClassifyAccount(kNone, "a\\b\\c", kId, groups));
  EXPECT_FALSE(ClassifyAccount(kNone, "DOMAIN\\", kId, groups));
  EXPECT_FALSE(ClassifyAccount(kNone, "", kId, groups));
}

TEST(WindowsAccount, EphemeralUserNameAndComment) {
  EXPECT_EQ(EphemeralUserName(kId), "0123456789abcdef0123");
  EXPECT_EQ(EphemeralUserName("abc"), "abc");
  // The comment names the whole id: two containers whose ids share 20 characters cannot take
  // each other's user for their own.
  EXPECT_EQ(EphemeralUserComment(kId),
            "hostprocess: ephemeral user of container 0123456789abcdef0123456789abcdef");
  EXPECT_NE(EphemeralUserComment(kId), EphemeralUserComment("0123456789abcdef0123ffffffffffff"));
}

TEST(WindowsAccount, EphemeralPasswordHasEveryClassAndNoQuoting) {
  std::vector<uint8_t> random(kPasswordLength);
  for (int seed = 0; seed < 256; ++seed) {
    for (size_t i = 0; i < random.size(); ++i)
      random[i] = static_cast<uint8_t>(seed * 31 + i * 7 + (i * i) % 13);
    std::string p = EphemeralPassword(random);
    ASSERT_EQ(p.size(), kPasswordLength);
    bool upper = false, lower = false, digit = false, symbol = false;
    for (char c : p) {
      upper |= std::isupper(static_cast<unsigned char>(c)) != 0;
      lower |= std::islower(static_cast<unsigned char>(c)) != 0;
      digit |= std::isdigit(static_cast<unsigned char>(c)) != 0;
      symbol |= std::ispunct(static_cast<unsigned char>(c)) != 0;
      EXPECT_EQ(std::string_view("\"' \\`$^&|<>").find(c), std::string_view::npos) << p;
      EXPECT_TRUE(std::isgraph(static_cast<unsigned char>(c))) << p;
    }
    EXPECT_TRUE(upper && lower && digit && symbol) << p;
  }
  // Other bytes, another password; too few bytes, a shorter one (never padded with a constant).
  std::vector<uint8_t> a(kPasswordLength, 1), b(kPasswordLength, 2);
  EXPECT_NE(EphemeralPassword(a), EphemeralPassword(b));
  EXPECT_EQ(EphemeralPassword(std::span<const uint8_t>(a.data(), 5)).size(), 5u);
}

}  // namespace
}  // namespace hp::windows
