// yaml::Parse's complete reader on Linux (yaml_internal.h CompleteParse): libyaml's events
// through a TreeWriter, with go-yaml's alias and depth rules.
#include <yaml.h>

#include "core/k8s/yaml_internal.h"

namespace hp::k8s::yaml {

// ---- building a tree from libyaml's events ----

namespace {

// libyaml's events into a Tree, with go-yaml's alias (internal::AliasRules) and depth rules.
class Builder {
 public:
  Builder(Tree& tree, int first_line, size_t text_size)
      : w_(tree, first_line, text_size), first_line_(first_line), rules_(w_) {}

  // Consumes one event; false (with error_) when the document breaks a rule.
  bool Event(const yaml_event_t& ev) {
    switch (ev.type) {
      case YAML_DOCUMENT_START_EVENT:
        rules_.StartDocument();
        return true;
      case YAML_SCALAR_EVENT: {
        const auto& s = ev.data.scalar;
        uint32_t i =
            w_.Scalar(Line(ev), Column(ev), {reinterpret_cast<const char*>(s.value), s.length},
                      s.style == YAML_PLAIN_SCALAR_STYLE && s.tag == nullptr, Text(s.tag));
        if (!rules_.Node(i, Text(s.anchor), false)) return Excessive(ev);
        return true;
      }
      case YAML_ALIAS_EVENT: {
        std::string_view name = Text(ev.data.alias.anchor);
        uint32_t node = 0;
        switch (rules_.Resolve(name, &node)) {
          case internal::AliasRules::Alias::kUnknown:
            return Fail(ev, "unknown anchor '" + std::string(name) + "' referenced");
          case internal::AliasRules::Alias::kContainsItself:
            return Fail(ev, "anchor '" + std::string(name) + "' value contains itself");
          case internal::AliasRules::Alias::kExcessive:
            return Excessive(ev);
          case internal::AliasRules::Alias::kFound:
            break;
        }
        w_.Attach(node);
        return true;
      }
      case YAML_SEQUENCE_START_EVENT:
        return Open(ev, false, ev.data.sequence_start.tag, ev.data.sequence_start.anchor);
      case YAML_MAPPING_START_EVENT:
        return Open(ev, true, ev.data.mapping_start.tag, ev.data.mapping_start.anchor);
      case YAML_SEQUENCE_END_EVENT:
      case YAML_MAPPING_END_EVENT:
        w_.Close();
        rules_.Close();
        return true;
      default:  // stream and document ends: an empty document has a null scalar root
        return true;
    }
  }

  ParseError error_;

 private:
  static std::string_view Text(const yaml_char_t* s) {
    return s ? std::string_view(reinterpret_cast<const char*>(s)) : std::string_view();
  }
  static uint32_t Line(const yaml_event_t& ev) { return static_cast<uint32_t>(ev.start_mark.line); }
  static uint32_t Column(const yaml_event_t& ev) {
    return static_cast<uint32_t>(ev.start_mark.column);
  }

  bool Open(const yaml_event_t& ev, bool map, const yaml_char_t* tag, const yaml_char_t* anchor) {
    uint32_t i = w_.Open(map, Line(ev), Column(ev), Text(tag));
    if (!rules_.Node(i, Text(anchor), true)) return Excessive(ev);
    if (w_.depth() > 10000) return Fail(ev, "exceeded max depth of 10000");
    return true;
  }

  bool Excessive(const yaml_event_t& ev) {
    return Fail(ev, "document contains excessive aliasing");
  }

  bool Fail(const yaml_event_t& ev, std::string message) {
    error_.mark = {static_cast<int>(ev.start_mark.line) + first_line_,
                   static_cast<int>(ev.start_mark.column)};
    error_.message = std::move(message);
    return false;
  }

  internal::TreeWriter w_;
  int first_line_;
  internal::AliasRules rules_;
};

// libyaml's position for a reader error is a byte offset: as line and column.
Mark MarkAt(std::string_view text, size_t offset, int first_line) {
  Mark m{first_line, 0};
  for (size_t i = 0; i < offset && i < text.size(); i++) {
    if (text[i] == '\n') {
      m.line++;
      m.column = 0;
    } else {
      m.column++;
    }
  }
  return m;
}

}  // namespace

namespace internal {

bool LibyamlParse(std::string_view text, Tree& out, ParseError& error, int first_line) {
  out = Tree();
  yaml_parser_t parser;
  if (!yaml_parser_initialize(&parser)) {
    error = {{}, "out of memory"};
    return false;
  }
  yaml_parser_set_input_string(&parser, reinterpret_cast<const unsigned char*>(text.data()),
                               text.size());
  Builder builder(out, first_line, text.size());
  bool ok = true;
  for (;;) {
    yaml_event_t ev;
    if (!yaml_parser_parse(&parser, &ev)) {
      error.message = parser.problem ? parser.problem : "unknown problem parsing YAML content";
      if (parser.error == YAML_READER_ERROR) {
        error.mark = MarkAt(text, parser.problem_offset, first_line);
      } else {
        error.mark = {static_cast<int>(parser.problem_mark.line) + first_line,
                      static_cast<int>(parser.problem_mark.column)};
      }
      ok = false;
      break;
    }
    bool done = ev.type == YAML_STREAM_END_EVENT;
    bool good = builder.Event(ev);
    yaml_event_delete(&ev);
    if (!good) {
      error = builder.error_;
      ok = false;
      break;
    }
    if (done) break;
  }
  yaml_parser_delete(&parser);
  return ok;
}

bool CompleteParse(std::string_view text, Tree& out, ParseError& error, int first_line) {
  return LibyamlParse(text, out, error, first_line);
}

}  // namespace internal

}  // namespace hp::k8s::yaml
