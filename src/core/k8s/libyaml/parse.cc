// yaml::Parse's complete reader on Linux (yaml_internal.h CompleteParse): libyaml's events
// through a TreeWriter, with go-yaml's alias and depth rules.
#include <yaml.h>

#include <unordered_map>

#include "core/k8s/yaml_internal.h"

namespace hp::k8s::yaml {

// ---- building a tree from libyaml's events ----

// go-yaml's allowedAliasRatio (yaml.v2 decode.go): the share of a document's decoded nodes that
// may come from alias expansion, 99% for small documents down to 10% from 4M nodes.
static double AllowedAliasRatio(uint64_t decoded) {
  constexpr double kLow = 400000, kHigh = 4000000;
  if (decoded <= kLow) return 0.99;
  if (decoded >= kHigh) return 0.10;
  return 0.99 - 0.89 * ((static_cast<double>(decoded) - kLow) / (kHigh - kLow));
}

namespace {

// libyaml's events into a Tree, with go-yaml's alias and depth rules.
class Builder {
 public:
  Builder(Tree& tree, int first_line, size_t text_size)
      : w_(tree, first_line, text_size), first_line_(first_line) {}

  // Consumes one event; false (with error_) when the document breaks a rule.
  bool Event(const yaml_event_t& ev) {
    switch (ev.type) {
      case YAML_DOCUMENT_START_EVENT:
        anchors_.clear();
        by_name_.clear();
        decoded_ = 1;  // the document node
        aliased_ = 0;
        return true;
      case YAML_SCALAR_EVENT: {
        const auto& s = ev.data.scalar;
        uint32_t i =
            w_.Scalar(Line(ev), Column(ev), {reinterpret_cast<const char*>(s.value), s.length},
                      s.style == YAML_PLAIN_SCALAR_STYLE && s.tag == nullptr, Text(s.tag));
        if (s.anchor) Define(s.anchor, i, 1, false);
        return Count(ev, 1);
      }
      case YAML_ALIAS_EVENT: {
        std::string name(Text(ev.data.alias.anchor));
        auto it = by_name_.find(name);
        if (it == by_name_.end()) return Fail(ev, "unknown anchor '" + name + "' referenced");
        const Anchor& a = anchors_[it->second];
        if (a.open) return Fail(ev, "anchor '" + name + "' value contains itself");
        w_.Attach(a.node);
        aliased_ += a.size;
        return Count(ev, 1 + a.size);
      }
      case YAML_SEQUENCE_START_EVENT:
        return Open(ev, false, ev.data.sequence_start.tag, ev.data.sequence_start.anchor);
      case YAML_MAPPING_START_EVENT:
        return Open(ev, true, ev.data.mapping_start.tag, ev.data.mapping_start.anchor);
      case YAML_SEQUENCE_END_EVENT:
      case YAML_MAPPING_END_EVENT:
        Close();
        return true;
      default:  // stream and document ends: an empty document has a null scalar root
        return true;
    }
  }

  ParseError error_;

 private:
  struct Anchor {
    uint32_t node;
    uint64_t size;  // the nodes a decoder visits through an alias of it
    bool open;      // a collection not closed yet
  };
  struct Open_ {
    uint64_t size;   // itself and everything in it, aliases expanded
    int64_t anchor;  // index in anchors_, or -1
  };

  static std::string_view Text(const yaml_char_t* s) {
    return s ? std::string_view(reinterpret_cast<const char*>(s)) : std::string_view();
  }
  static uint32_t Line(const yaml_event_t& ev) { return static_cast<uint32_t>(ev.start_mark.line); }
  static uint32_t Column(const yaml_event_t& ev) {
    return static_cast<uint32_t>(ev.start_mark.column);
  }

  int64_t Define(const yaml_char_t* name, uint32_t node, uint64_t size, bool open) {
    auto index = static_cast<int64_t>(anchors_.size());
    anchors_.push_back({node, size, open});
    by_name_[std::string(Text(name))] = static_cast<size_t>(index);
    return index;
  }

  bool Open(const yaml_event_t& ev, bool map, const yaml_char_t* tag, const yaml_char_t* anchor) {
    uint32_t i = w_.Open(map, Line(ev), Column(ev), Text(tag));
    if (!Count(ev, 1)) return false;
    if (open_.size() >= 10000) return Fail(ev, "exceeded max depth of 10000");
    int64_t a = anchor ? Define(anchor, i, 0, true) : -1;
    open_.push_back({1, a});
    return true;
  }

  void Close() {
    if (open_.empty()) return;
    w_.Close();
    Open_ c = open_.back();
    open_.pop_back();
    if (!open_.empty()) open_.back().size += c.size - 1;  // its own node is already counted
    if (c.anchor >= 0) {
      anchors_[static_cast<size_t>(c.anchor)].size = c.size;
      anchors_[static_cast<size_t>(c.anchor)].open = false;
    }
  }

  bool Count(const yaml_event_t& ev, uint64_t nodes) {
    decoded_ += nodes;
    if (!open_.empty()) open_.back().size += nodes;
    if (aliased_ > 100 && decoded_ > 1000 &&
        static_cast<double>(aliased_) / static_cast<double>(decoded_) > AllowedAliasRatio(decoded_))
      return Fail(ev, "document contains excessive aliasing");
    return true;
  }

  bool Fail(const yaml_event_t& ev, std::string message) {
    error_.mark = {static_cast<int>(ev.start_mark.line) + first_line_,
                   static_cast<int>(ev.start_mark.column)};
    error_.message = std::move(message);
    return false;
  }

  internal::TreeWriter w_;
  int first_line_;
  std::vector<Open_> open_;
  std::vector<Anchor> anchors_;                      // this document's, in definition order
  std::unordered_map<std::string, size_t> by_name_;  // the latest definition of each name
  uint64_t decoded_ = 0;
  uint64_t aliased_ = 0;
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
