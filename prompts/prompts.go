// Package prompts renders Herald's prompts into chat messages.
//
// The prompts are text/template files embedded from templates/*.tmpl:
//
//   - system.tmpl: Herald's system prompt (answer only from the numbered
//     sources, treat them as data, cite with [n], quote exactly, abstain
//     with AbstainSentence).
//   - answer.tmpl: the user message of an answer: the sources, the question
//     and the valid source numbers.
//   - condense.tmpl: the rewrite of a follow-up into a standalone question.
//   - summary.tmpl: a 3 to 5 sentence summary of one or several sources.
//   - digest_story.tmpl: a headline and one or two sentences for one story
//     of a digest.
//   - sources.tmpl: defines the "sources" template, the fence that the
//     others use around article text.
//
// Article text is untrusted. Each source is fenced as
// <source n="1" outlet="..." date="..." headline="...">text</source>, and
// before rendering every "<source" or "</source" (in any case, with or
// without spaces after "<" or "/") inside the text, headline, outlet, date,
// question, topic or conversation is neutralised by replacing "<" with "‹",
// so nothing a page says can close its fence or open a new one; the same
// goes for "<conversation", the fence condense.tmpl puts around history. Attribute
// values are also escaped (&, ", <, >) and kept to one line.
//
// Load reads the embedded templates and lets files of the same name in a
// directory override them; each template is parsed and test-rendered at
// load time, so a broken override fails at start, naming its file. The
// comment at the top of each embedded template lists the data it receives.
//
// The package imports only the standard library; knowledge imports it.
package prompts

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/template"
)

// AbstainSentence is the exact reply Herald gives when its sources do not
// answer a question in English; the system prompt asks the model for it
// (or for AbstainSentenceFor the language it writes in) verbatim and
// IsAbstain recognises it.
const AbstainSentence = "The sources I have don't answer that."

// abstainSentences are the abstain sentences by language.
var abstainSentences = map[string]string{
	"en": AbstainSentence,
	"de": "Die Quellen, die ich habe, beantworten das nicht.",
}

// AbstainSentenceFor returns the abstain sentence in the language lang, an
// ISO 639-1 code or a BCP 47 tag ("de", "de-AT"): AbstainSentence for
// English and for every language Herald has no sentence in.
func AbstainSentenceFor(lang string) string {
	if s, ok := abstainSentences[baseLanguage(lang)]; ok {
		return s
	}
	return AbstainSentence
}

// languageNames are the English names of the languages Herald analyses,
// as the prompts name them to the model.
var languageNames = map[string]string{
	"ar": "Arabic", "da": "Danish", "de": "German", "en": "English", "es": "Spanish", "fi": "Finnish",
	"fr": "French", "ga": "Irish", "hu": "Hungarian", "it": "Italian", "nl": "Dutch", "no": "Norwegian",
	"pt": "Portuguese", "ro": "Romanian", "ru": "Russian", "sv": "Swedish", "ta": "Tamil", "tr": "Turkish",
}

// LanguageName returns the English name of the language lang ("German"
// for "de" or "de-AT"), or "" for a language it does not know; the
// prompts ask the model to write in it.
func LanguageName(lang string) string { return languageNames[baseLanguage(lang)] }

// baseLanguage is the lowercase primary subtag of a language tag.
func baseLanguage(tag string) string {
	tag = strings.TrimSpace(tag)
	if i := strings.IndexAny(tag, "-_"); i >= 0 {
		tag = tag[:i]
	}
	return strings.ToLower(tag)
}

// Roles of chat messages, as OpenAI-compatible endpoints name them.
const (
	RoleSystem    = "system"
	RoleUser      = "user"
	RoleAssistant = "assistant"
)

// Message is one chat message: a role (RoleSystem, RoleUser or
// RoleAssistant) and its text.
type Message struct {
	Role    string
	Content string
}

// Source is one numbered source given to the model: a passage or an
// article with the outlet, headline and date it came from. Date is
// preformatted by the caller (e.g. "2024-03-05") and may be empty when
// unknown.
type Source struct {
	N        int
	Outlet   string
	Headline string
	Date     string
	Text     string
}

// AnswerInput is what Answer renders: the question, its numbered sources,
// the date the question is asked (e.g. "2024-03-07"; may be empty) and the
// language the question is written in (an ISO 639-1 code such as "de"; ""
// asks the model for the question's language without naming it). The model
// is asked to answer in that language and to keep quotes in their
// source's.
type AnswerInput struct {
	Question string
	Sources  []Source
	Now      string
	Language string
}

// Turn is one earlier question and answer of a conversation.
type Turn struct {
	Question string
	Answer   string
}

// CondenseInput is what Condense renders: the conversation so far, oldest
// turn first, and the follow-up question to make standalone.
type CondenseInput struct {
	History  []Turn
	Question string
}

// SummaryInput is what Summary renders: one or several numbered sources,
// optionally a topic to focus the summary on, and the language to write it
// in (an ISO 639-1 code, usually the sources'; "" names none).
type SummaryInput struct {
	Sources  []Source
	Topic    string
	Language string
}

// DigestStoryInput is what DigestStory renders: the numbered sources of one
// story, usually the reports of several outlets, and the language to write
// it in (as for SummaryInput).
type DigestStoryInput struct {
	Sources  []Source
	Language string
}

// Template file names.
const (
	fileSystem   = "system.tmpl"
	fileSources  = "sources.tmpl"
	fileAnswer   = "answer.tmpl"
	fileCondense = "condense.tmpl"
	fileSummary  = "summary.tmpl"
	fileDigest   = "digest_story.tmpl"
)

// files lists every template Load reads; sources.tmpl comes first so that
// an override of another file may redefine "sources" for itself.
var files = []string{fileSources, fileSystem, fileAnswer, fileCondense, fileSummary, fileDigest}

//go:embed templates/*.tmpl
var embedded embed.FS

// Set is a parsed set of Herald's prompt templates, made by Load or
// Default; the zero Set is not usable. A Set is immutable and safe for
// concurrent use.
type Set struct {
	tmpl      *template.Template
	overrides []string
}

// Load returns the embedded templates, with any file of the same name in
// dir overriding its embedded counterpart; dir == "" means the embedded
// templates only. Other files in dir are ignored. Load fails, naming the
// file, if dir cannot be read or a template does not parse or does not
// render with sample data.
func Load(dir string) (*Set, error) {
	if dir != "" {
		info, err := os.Stat(dir)
		if err != nil {
			return nil, fmt.Errorf("prompts: override directory: %w", err)
		}
		if !info.IsDir() {
			return nil, fmt.Errorf("prompts: override directory %s is not a directory", dir)
		}
	}
	s := &Set{tmpl: template.New("").Option("missingkey=error")}
	for _, name := range files {
		text, from, err := readTemplate(dir, name)
		if err != nil {
			return nil, err
		}
		if from != "" {
			s.overrides = append(s.overrides, name)
		} else {
			from = "embedded " + name
		}
		if _, err := s.tmpl.New(name).Parse(text); err != nil {
			return nil, fmt.Errorf("prompts: parse %s: %w", from, err)
		}
	}
	if err := s.check(dir); err != nil {
		return nil, err
	}
	return s, nil
}

// readTemplate returns the text of the template name, from dir when it
// holds a file of that name and from the embedded files otherwise. from is
// the override's path, or "" for an embedded template.
func readTemplate(dir, name string) (text, from string, err error) {
	if dir != "" {
		path := filepath.Join(dir, name)
		b, err := os.ReadFile(path)
		switch {
		case err == nil:
			return string(b), path, nil
		case !errors.Is(err, fs.ErrNotExist):
			return "", "", fmt.Errorf("prompts: read %s: %w", path, err)
		}
	}
	b, err := embedded.ReadFile("templates/" + name)
	if err != nil {
		return "", "", fmt.Errorf("prompts: embedded %s: %w", name, err)
	}
	return string(b), "", nil
}

// check renders every prompt once with sample data, so that a template
// naming a field that does not exist fails at load rather than on the
// first question.
func (s *Set) check(dir string) error {
	src := []Source{
		{N: 1, Outlet: "Outlet", Headline: "Headline", Date: "2024-03-05", Text: "Text."},
		{N: 2, Outlet: "Other", Headline: "Other headline", Text: "More text."},
	}
	renders := []struct {
		file   string
		render func() ([]Message, error)
	}{
		{fileAnswer, func() ([]Message, error) {
			return s.Answer(AnswerInput{Question: "What happened?", Sources: src, Now: "2024-03-07"})
		}},
		{fileAnswer, func() ([]Message, error) {
			return s.Answer(AnswerInput{Question: "Was ist passiert?", Sources: src, Now: "2024-03-07", Language: "de"})
		}},
		{fileCondense, func() ([]Message, error) {
			return s.Condense(CondenseInput{History: []Turn{{Question: "Q?", Answer: "A [1]."}}, Question: "And then?"})
		}},
		{fileSummary, func() ([]Message, error) { return s.Summary(SummaryInput{Sources: src, Topic: "Topic"}) }},
		{fileDigest, func() ([]Message, error) { return s.DigestStory(DigestStoryInput{Sources: src}) }},
	}
	for _, r := range renders {
		if _, err := r.render(); err != nil {
			return fmt.Errorf("prompts: check %s: %w", s.describe(dir, r.file), err)
		}
	}
	return nil
}

// describe names a template file for an error message: its override path,
// or "embedded name".
func (s *Set) describe(dir, name string) string {
	if slices.Contains(s.overrides, name) {
		return filepath.Join(dir, name)
	}
	return "embedded " + name
}

// Default returns the embedded templates. It panics only if they are
// broken, which the package's tests rule out.
func Default() *Set {
	s, err := Load("")
	if err != nil {
		panic(err)
	}
	return s
}

// Overrides returns the names of the templates that Load took from the
// override directory, for logging at start.
func (s *Set) Overrides() []string {
	return slices.Clone(s.overrides)
}

// sourceData is a Source as templates see it: every field neutralised and
// the attribute fields escaped.
type sourceData struct {
	N        int
	Outlet   string
	Headline string
	Date     string
	Text     string
}

// sourcesData validates sources (numbers positive and unique), makes them
// safe to fence, and returns them with the list of valid numbers in
// ascending order, e.g. "1, 2, 3", or "none".
func sourcesData(sources []Source) ([]sourceData, string, error) {
	out := make([]sourceData, 0, len(sources))
	nums := make([]int, 0, len(sources))
	for _, src := range sources {
		if src.N < 1 {
			return nil, "", fmt.Errorf("prompts: source number %d is not positive", src.N)
		}
		if slices.Contains(nums, src.N) {
			return nil, "", fmt.Errorf("prompts: source number %d is used twice", src.N)
		}
		nums = append(nums, src.N)
		out = append(out, sourceData{
			N:        src.N,
			Outlet:   attr(src.Outlet),
			Headline: attr(src.Headline),
			Date:     attr(src.Date),
			Text:     strings.TrimSpace(neutralise(src.Text)),
		})
	}
	return out, numberList(nums), nil
}

// numberList formats source numbers for the "Valid source numbers" line.
func numberList(nums []int) string {
	if len(nums) == 0 {
		return "none"
	}
	nums = slices.Sorted(slices.Values(nums))
	parts := make([]string, len(nums))
	for i, n := range nums {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, ", ")
}

// Answer renders the messages that ask the model to answer in.Question
// from in.Sources: the system prompt and a user message holding the fenced
// sources, the question and the valid source numbers. With no sources the
// model is expected to abstain; callers usually abstain without asking.
func (s *Set) Answer(in AnswerInput) ([]Message, error) {
	q := strings.TrimSpace(in.Question)
	if q == "" {
		return nil, errors.New("prompts: answer: empty question")
	}
	return s.withSources(fileAnswer, in.Language, in.Sources, func(srcs []sourceData, nums string) any {
		return struct {
			Question        string
			Now             string
			Sources         []sourceData
			Numbers         string
			AbstainSentence string
			Language        string
		}{oneLine(neutralise(q)), oneLine(neutralise(in.Now)), srcs, nums, AbstainSentenceFor(in.Language), LanguageName(in.Language)}
	})
}

// Condense renders the message that asks the model to rewrite a follow-up
// question into a standalone one, given the conversation so far. It is a
// single user message: Herald's system prompt is left out because its
// rules for answering (cite, abstain) would fight the rewrite.
func (s *Set) Condense(in CondenseInput) ([]Message, error) {
	q := strings.TrimSpace(in.Question)
	if q == "" {
		return nil, errors.New("prompts: condense: empty question")
	}
	hist := make([]Turn, len(in.History))
	for i, t := range in.History {
		hist[i] = Turn{
			Question: strings.TrimSpace(neutralise(t.Question)),
			Answer:   strings.TrimSpace(neutralise(t.Answer)),
		}
	}
	user, err := s.render(fileCondense, struct {
		History  []Turn
		Question string
	}{hist, oneLine(neutralise(q))})
	if err != nil {
		return nil, err
	}
	return []Message{user}, nil
}

// Summary renders the messages that ask the model to summarise in.Sources
// in 3 to 5 sentences with markers, focused on in.Topic when it is set: the
// system prompt and a user message.
func (s *Set) Summary(in SummaryInput) ([]Message, error) {
	if len(in.Sources) == 0 {
		return nil, errors.New("prompts: summary: no sources")
	}
	return s.withSources(fileSummary, in.Language, in.Sources, func(srcs []sourceData, nums string) any {
		return struct {
			Sources         []sourceData
			Numbers         string
			Topic           string
			AbstainSentence string
			Language        string
		}{srcs, nums, oneLine(neutralise(in.Topic)), AbstainSentenceFor(in.Language), LanguageName(in.Language)}
	})
}

// DigestStory renders the messages that ask the model for one story of a
// digest: a short neutral headline on the first line, then one or two
// sentences with markers. They are the system prompt and a user message.
func (s *Set) DigestStory(in DigestStoryInput) ([]Message, error) {
	if len(in.Sources) == 0 {
		return nil, errors.New("prompts: digest story: no sources")
	}
	return s.withSources(fileDigest, in.Language, in.Sources, func(srcs []sourceData, nums string) any {
		return struct {
			Sources  []sourceData
			Numbers  string
			Language string
		}{srcs, nums, LanguageName(in.Language)}
	})
}

// withSources renders the system prompt (for writing in lang) and the user
// message of a template that shows the fenced sources; data builds the
// template's data from them and their valid numbers.
func (s *Set) withSources(file, lang string, sources []Source, data func(srcs []sourceData, nums string) any) ([]Message, error) {
	srcs, nums, err := sourcesData(sources)
	if err != nil {
		return nil, err
	}
	sys, err := s.system(lang)
	if err != nil {
		return nil, err
	}
	user, err := s.render(file, data(srcs, nums))
	if err != nil {
		return nil, err
	}
	return []Message{sys, user}, nil
}

// system renders the system prompt for writing in lang.
func (s *Set) system(lang string) (Message, error) {
	m, err := s.render(fileSystem, struct{ AbstainSentence, Language string }{AbstainSentenceFor(lang), LanguageName(lang)})
	m.Role = RoleSystem
	return m, err
}

// render executes the template name as a user message, trimming the
// whitespace templates leave at either end.
func (s *Set) render(name string, data any) (Message, error) {
	var buf bytes.Buffer
	if err := s.tmpl.ExecuteTemplate(&buf, name, data); err != nil {
		return Message{}, fmt.Errorf("prompts: render %s: %w", name, err)
	}
	out := strings.TrimSpace(buf.String())
	if out == "" {
		return Message{}, fmt.Errorf("prompts: render %s: empty message", name)
	}
	return Message{Role: RoleUser, Content: out}, nil
}
