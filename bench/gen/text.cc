// Prompt templates and fillers (our own words), and the real-prompt loader.
#include "bench/gen/text.h"

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <string_view>

namespace tosguard::gen {
namespace {

using List = std::vector<std::string_view>;

struct Filler {
  std::string_view name;
  List values;
};

// Some values carry quotes, '<', '&', newlines and non-ASCII letters on purpose, so
// every consumer of the logs meets text that needs escaping.
const std::vector<Filler>& Fillers() {
  static const std::vector<Filler> kFillers = {
      {"concept",
       {"compound interest", "recursion", "photosynthesis", "inflation", "public key cryptography",
        "the placebo effect", "supply and demand", "a hash table", "machine learning overfitting",
        "plate tectonics", "opportunity cost", "garbage collection", "the greenhouse effect",
        "a mortgage offset account", "DNS caching"}},
      {"lang",
       {"Python", "JavaScript", "Go", "Rust", "Java", "C#", "TypeScript", "SQL", "Kotlin", "bash"}},
      {"error",
       {"IndexError: list index out of range", "TypeError: undefined is not a function",
        "segmentation fault (core dumped)", "NullPointerException at line 42",
        "cannot borrow `x` as mutable more than once",
        "ModuleNotFoundError: No module named 'requests'",
        "ORA-00942: table or view does not exist", "permission denied (publickey)"}},
      {"dish",
       {"lentil soup", "vegetable curry", "banana bread", "a quick stir fry", "shakshuka",
        "mushroom risotto", "pancakes without eggs", "a Greek salad"}},
      {"minutes", {"10", "15", "20", "30", "45"}},
      {"language",
       {"Spanish", "French", "German", "Japanese", "Portuguese", "Italian", "Korean", "Hindi",
        "Turkish", "Dutch"}},
      {"phrase",
       {"the meeting moved to Thursday afternoon",
        "we will ship the update next week, pending review", "Ça va très bien, merci ! À demain.",
        "please find the invoice attached", "Our Q3 numbers are <b>up</b> 12% & costs are \"flat\"",
        "line one of the note\nline two of the note",
        "Können wir den Termin auf Montag verschieben?",
        "the package arrived damaged and I would like a refund", "明日の会議は午後三時からです",
        "thanks for your patience while we fix this"}},
      {"topic",
       {"the French revolution", "remote work policies", "our quarterly sales report",
        "the basics of home solar panels", "the water cycle", "a new onboarding process",
        "electric car batteries", "the history of jazz"}},
      {"city",
       {"Lisbon", "Kyoto", "Mexico City", "Cape Town", "Vancouver", "Istanbul", "Edinburgh",
        "Seoul", "Buenos Aires", "Prague"}},
      {"ndays", {"2", "3", "4", "5", "7"}},
      {"tone", {"friendly", "formal", "confident", "concise", "persuasive", "empathetic"}},
      {"task",
       {"merge two branches", "freeze the top row", "make a pivot table", "undo the last commit",
        "set up a cron job", "export a chart as PDF", "rename many files at once",
        "add a table of contents"}},
      {"tool",
       {"git", "Excel", "Google Sheets", "Linux", "Word", "VS Code", "Figma", "PowerPoint"}},
      {"count", {"3", "5", "7", "10"}},
      {"business",
       {"coffee shop", "dog grooming service", "bike repair shop", "language school", "bakery",
        "accounting firm", "yoga studio"}},
      {"plant", {"tomato", "basil", "monstera", "lemon tree", "orchid", "fiddle leaf fig"}},
      {"season", {"spring", "summer", "autumn", "winter"}},
      {"skill",
       {"Spanish", "guitar", "statistics", "drawing", "touch typing", "chess", "public speaking"}},
      {"event",
       {"a birthday party", "the team offsite", "a wedding", "a product launch", "a school reunion",
        "the charity run"}},
      {"person", {"landlord", "manager", "team", "professor", "client", "neighbour"}},
      {"length", {"short", "brief", "polite", "detailed"}},
      {"product", {"Notion", "Trello", "Slack", "Asana", "Jira", "Airtable", "Basecamp"}},
      {"appliance", {"dishwasher", "fridge", "washing machine", "laptop fan", "boiler"}},
      {"thing",
       {"autumn rain", "a cup of coffee", "the city at night", "an old cat", "the first snow",
        "a quiet library"}},
      {"col", {"customer_id", "order_total", "created_at", "price", "quantity"}},
      {"table", {"orders", "customers", "invoices", "shipments", "events"}},
      {"job",
       {"data analyst", "product manager", "backend engineer", "nurse", "teacher", "UX designer",
        "sales representative"}},
      {"animal", {"octopuses", "crows", "axolotls", "honeybees", "elephants", "tardigrades"}},
      {"doc",
       {"the attached contract", "this meeting transcript", "the design document below",
        "the customer feedback export", "our incident report"}},
      {"n20", {"20", "20", "25", "30", "40", "50"}},
      {"dtopic",
       {"algebra word problems", "Python list manipulation", "contract law basics",
        "organic chemistry reactions", "customer support for a bank", "medical triage questions",
        "SQL query writing", "creative writing prompts", "physics kinematics",
        "tax filing questions", "cybersecurity incident response", "logic puzzles",
        "email etiquette", "data structures interview questions"}},
      {"skillset",
       {"general-purpose", "coding", "math tutoring", "legal", "customer service", "reasoning"}},
      {"question",
       {"The capital of Australia is", "The chemical symbol for gold is",
        "The opposite of 'ancient' is", "The next prime after 13 is",
        "The author of 'Pride and Prejudice' is", "The largest planet is",
        "A baby kangaroo is called a", "The square root of 144 is"}},
      {"review",
       {"Battery lasts two days, very happy with it.",
        "Stopped working after a week. Waste of money.",
        "It's fine. Does what it says, nothing more.",
        "Shipping took forever but the quality is great.",
        "Terrible customer service, would not buy again.",
        "Exactly as described & arrived early!"}},
      {"listing",
       {"ACME Widgets Ltd - 3-pack widgets, now $24.99 (was $39.99)",
        "Northwind Traders: organic tea 500g for EUR 12.50",
        "Contoso Outdoor | 2-person tent | 149.00 USD",
        "Fabrikam Audio wireless earbuds, price: $59"}},
      {"brand",
       {"QuickSlim tea", "CryptoMax signals", "a miracle hair serum", "discount designer watches",
        "a work-from-home income course"}},
  };
  return kFillers;
}

const List& FillerValues(std::string_view name) {
  static const List kEmpty;
  for (const Filler& f : Fillers()) {
    if (f.name == name) return f.values;
  }
  return kEmpty;
}

// Replaces each {name} of `tmpl` with a value drawn for it.
void Fill(std::string_view tmpl, Rng& rng, std::string& out) {
  std::size_t i = 0;
  while (i < tmpl.size()) {
    const std::size_t open = tmpl.find('{', i);
    if (open == std::string_view::npos) {
      out.append(tmpl.substr(i));
      return;
    }
    const std::size_t close = tmpl.find('}', open);
    out.append(tmpl.substr(i, open - i));
    const List& values = FillerValues(tmpl.substr(open + 1, close - open - 1));
    if (!values.empty()) out.append(values[rng.Index(values.size())]);
    i = close + 1;
  }
}

const List kChat = {
    "Can you explain {concept} in simple terms?",
    "Write a {length} email to my {person} about {event}.",
    "What is the difference between {concept} and {concept}?",
    "Help me debug this {lang} error: {error}",
    "Give me a recipe for {dish} that takes under {minutes} minutes.",
    "Translate this into {language}: {phrase}",
    "Summarize the main points of {topic} for a presentation tomorrow.",
    "I'm planning a trip to {city}. What should I see in {ndays} days?",
    "Rewrite this so it sounds more {tone}: {phrase}",
    "How do I {task} in {tool}?",
    "My {lang} function returns the wrong result when the input is empty. Why might that be?",
    "Suggest {count} names for a {business}.",
    "Is it normal for {plant} leaves to turn yellow in {season}?",
    "what's a good way to learn {skill} if I only have {minutes} minutes a day",
    "Draft a polite reply declining an invitation to {event}.",
    "Compare {product} and {product} for a small team.",
    "Why does my {appliance} make a clicking noise?",
    "write a haiku about {thing}",
    "Can you check the grammar of this sentence: {phrase}",
    "Explain what this query does: SELECT {col} FROM {table} WHERE {col} > 10",
    "Make a weekly workout plan for a beginner who can train {ndays} days a week.",
    "What are the pros and cons of {concept}?",
    "give me {count} interview questions for a {job} role",
    "How should I structure a cover letter for a {job} position?",
    "Tell me a fun fact about {animal}.",
    "ok and how would that work with {concept}?",
    "thanks! can you make it shorter",
    "Is {lang} a good first language for someone who wants to become a {job}?",
};

const List kWork = {
    "Using {doc}, list the open action items with owners and due dates.",
    "Review this {lang} pull request for bugs and style problems, then suggest fixes.",
    "Read {doc} and draft a summary for executives in {count} bullet points.",
    "Classify each ticket in {doc} by urgency and product area.",
    "Write unit tests in {lang} for the function described in {doc}.",
    "Translate {doc} into {language}, keeping the formatting.",
    "From {doc}, extract every date, amount and party name as a table.",
    "Propose a migration plan for moving {table} from MySQL to Postgres.",
};

const List kDistill = {
    "Generate {n20} diverse instructions about {dtopic} that a user might give an AI "
    "assistant. For each instruction, write an input if needed and a detailed output that "
    "reasons step by step. Return a JSON list with keys instruction, input and output.",
    "You are creating training data for a {skillset} assistant. Produce {n20} varied tasks "
    "on {dtopic}, each followed by an ideal answer. Think step by step and show your "
    "reasoning before the final answer.",
    "Create {n20} question-answer pairs about {dtopic}. Every answer must explain its "
    "reasoning step by step. Format each pair as Q: ... A: ... and do not repeat questions.",
    "List {n20} new, diverse and challenging instructions on {dtopic}, different from any "
    "you wrote before. Then answer each one step-by-step, as an expert would.",
};

const List kProbe = {
    "Reply with exactly one word. {question}",
    "Answer with a single token, no punctuation: {question}",
    "Is this review positive or negative? Answer yes for positive, no for negative: "
    "\"{review}\"",
};

const List kBulk = {
    "Classify the sentiment of this product review as positive, negative or neutral: "
    "\"{review}\"",
    "Extract the company name and the price from: {listing}. Answer as JSON.",
    "Return the category of this listing (electronics, food, outdoor, other): {listing}",
};

const List kSpam = {
    "Write a short promotional message for {brand} with a link to our site.",
    "Write {count} enthusiastic five-star reviews for {brand}, each from a different person.",
    "Write a comment for a forum that casually recommends {brand}.",
};

const List& Templates(PromptStyle style) {
  switch (style) {
    case PromptStyle::kChat: return kChat;
    case PromptStyle::kWork: return kWork;
    case PromptStyle::kDistill: return kDistill;
    case PromptStyle::kProbe: return kProbe;
    case PromptStyle::kBulk: return kBulk;
    case PromptStyle::kSpam: return kSpam;
  }
  return kChat;
}

}  // namespace

void AppendPrompt(PromptStyle style, std::uint64_t variant, Rng& rng, const PromptPool& pool,
                  std::string& out) {
  const List& templates = Templates(style);
  const bool real = !pool.texts.empty();
  if (real && (style == PromptStyle::kChat || style == PromptStyle::kWork)) {
    out.append(pool.texts[rng.Index(pool.texts.size())]);
    return;
  }
  std::size_t pick = 0;
  if (style == PromptStyle::kChat || style == PromptStyle::kWork) {
    pick = rng.Index(templates.size());
  } else {
    // Campaigns reuse one or two templates of their own: that is their signature.
    pick = static_cast<std::size_t>((variant + (rng.Permille(150) ? 1 : 0)) % templates.size());
  }
  Fill(templates[pick], rng, out);
  if (real && style == PromptStyle::kDistill) {
    out.append("\n\nHere are some example tasks:");
    for (int i = 1; i <= 3; ++i) {
      out.append("\n");
      out.append(std::to_string(i));
      out.append(". ");
      out.append(pool.texts[rng.Index(pool.texts.size())]);
    }
  }
}

Result<PromptPool> LoadPrompts(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return Status::NotFound("no prompt directory '" + dir + "'");
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".jsonl") {
      files.push_back(entry.path());
    }
  }
  if (ec) return Status::IoError("cannot list '" + dir + "': " + ec.message());
  std::sort(files.begin(), files.end());
  PromptPool pool;
  simdjson::ondemand::parser parser;
  for (const fs::path& file : files) {
    simdjson::padded_string content;
    if (simdjson::padded_string::load(file.string()).get(content) != simdjson::SUCCESS) {
      return Status::IoError("cannot read '" + file.string() + "'");
    }
    std::string_view all(content.data(), content.size());
    while (!all.empty()) {
      const std::size_t nl = all.find('\n');
      std::string_view line = all.substr(0, nl);
      all = nl == std::string_view::npos ? std::string_view() : all.substr(nl + 1);
      if (line.empty()) continue;
      simdjson::padded_string padded(line);
      simdjson::ondemand::document doc;
      if (parser.iterate(padded).get(doc) != simdjson::SUCCESS) continue;
      simdjson::ondemand::json_type type;
      if (doc.type().get(type) != simdjson::SUCCESS) continue;
      std::string_view text;
      if (type == simdjson::ondemand::json_type::string) {
        if (doc.get_string().get(text) != simdjson::SUCCESS) continue;
      } else if (type == simdjson::ondemand::json_type::object) {
        simdjson::ondemand::object obj;
        if (doc.get_object().get(obj) != simdjson::SUCCESS) continue;
        bool found = false;
        for (auto field : obj) {
          std::string_view key;
          if (field.unescaped_key().get(key) != simdjson::SUCCESS) break;
          if (key != "instruction" && key != "prompt" && key != "text") continue;
          if (field.value().get_string().get(text) == simdjson::SUCCESS) found = true;
          break;
        }
        if (!found) continue;
      } else {
        continue;
      }
      if (!text.empty()) pool.texts.emplace_back(text);
    }
  }
  if (pool.texts.empty()) return Status::NotFound("no prompt texts in '" + dir + "'");
  return pool;
}

}  // namespace tosguard::gen
