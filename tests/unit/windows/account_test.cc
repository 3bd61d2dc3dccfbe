#include "core/windows/account.h"

#include <gtest/gtest.h>

#include <set>

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

}  // namespace
}  // namespace hp::windows
