// The grammar of sudoers(5) as far as visudo -c checks it: comments and blank lines, #include and
// @include lines, Defaults entries (with @host, :user, !command and >runas bindings), aliases, and user
// specifications (users hosts = (runas) TAGS: commands, more after ":"). It checks syntax only: the
// names of Defaults settings and whether users exist are not checked.

const TAGS = /^(NOPASSWD|PASSWD|NOEXEC|EXEC|SETENV|NOSETENV|LOG_INPUT|NOLOG_INPUT|LOG_OUTPUT|NOLOG_OUTPUT|MAIL|NOMAIL|FOLLOW|NOFOLLOW|INTERCEPT|NOINTERCEPT)[ \t]*:/;
const ALIAS_KINDS = /^(User|Runas|Host|Cmnd|Cmd)_Alias(?=[ \t])/;
const ALIAS_NAME = /^[A-Z][A-Z0-9_]*/;
const DEFAULTS = /^Defaults(?=[ \t@:!>]|$)/;
// #include and #includedir read as comments here; their @ forms are directives of their own.
const INCLUDE = /^@include(dir)?[ \t]+\S/;

class SyntaxError extends Error {
  constructor(at) {
    super("syntax error");
    this.at = at;
  }
}

/** The first syntax error of a sudoers text as { line, column, length } (1-based; a tab counts one column), or undefined. */
export function findSyntaxError(text) {
  for (const logical of logicalLines(text)) {
    try {
      new LineParser(logical.text).line();
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw error;
      const { line, column } = logical.where(error.at);
      const token = /^[^ \t,:=()!"]*/.exec(logical.text.slice(error.at))[0];
      return { line, column, length: Math.max(1, token.length) };
    }
  }
  return undefined;
}

/** Lines joined where one ends in a backslash; `where` maps an offset back to its physical line and column. */
function logicalLines(text) {
  const physical = text.split("\n");
  const result = [];
  for (let i = 0; i < physical.length; i++) {
    let joined = "";
    const places = [];
    for (;;) {
      const raw = physical[i];
      const continues = /(^|[^\\])(\\\\)*\\$/.test(raw) && i + 1 < physical.length;
      const part = continues ? `${raw.slice(0, -1)} ` : raw;
      for (let c = 0; c < part.length; c++) places.push({ line: i + 1, column: c + 1 });
      joined += part;
      if (!continues) break;
      i++;
    }
    places.push({ line: i + 1, column: physical[i].length + 1 });
    result.push({ text: joined, where: (at) => places[Math.min(at, places.length - 1)] });
  }
  return result;
}

class LineParser {
  constructor(text) {
    this.text = text;
    this.at = 0;
  }

  line() {
    this.space();
    if (this.done()) return;
    const rest = this.rest();
    if (INCLUDE.test(rest)) return;
    if (DEFAULTS.test(rest)) this.defaults();
    else if (ALIAS_KINDS.test(rest)) this.alias();
    else this.userSpec();
    this.space();
    if (!this.done()) this.fail();
  }

  defaults() {
    this.at += "Defaults".length;
    if ("@:!>".includes(this.peek())) {
      this.at++;
      this.list(() => this.member(","));
      if (!this.afterBlank()) this.fail();
    }
    this.space();
    this.list(() => this.setting());
  }

  // name, !name, name=value, name+=value, name-=value; a value is quoted or runs to a space or ",".
  setting() {
    while (this.eat("!")) this.space();
    const name = /^[a-z_]+/.exec(this.rest());
    if (!name) this.fail();
    this.at += name[0].length;
    this.space();
    const operator = /^[+-]?=/.exec(this.rest());
    if (!operator) return;
    this.at += operator[0].length;
    this.space();
    if (this.peek() === '"') this.quoted();
    else this.word(",");
  }

  alias() {
    const [keyword, kind] = ALIAS_KINDS.exec(this.rest());
    this.at += keyword.length;
    const commands = kind === "Cmnd" || kind === "Cmd";
    do {
      this.space();
      const name = ALIAS_NAME.exec(this.rest());
      if (!name) this.fail();
      this.at += name[0].length;
      this.space();
      this.expect("=");
      this.space();
      this.list(() => (commands ? this.command() : this.member(",:")));
      this.space();
    } while (this.eat(":"));
  }

  userSpec() {
    this.list(() => this.member(",:=()"));
    if (!this.afterBlank()) this.fail();
    do {
      this.space();
      this.list(() => this.member(",:=()"));
      this.space();
      this.expect("=");
      this.list(() => this.commandSpec());
      this.space();
    } while (this.eat(":"));
  }

  commandSpec() {
    this.space();
    if (this.eat("(")) {
      this.space();
      if (this.peek() !== ":" && this.peek() !== ")") this.list(() => this.member(",:)"));
      this.space();
      if (this.eat(":")) {
        this.space();
        if (this.peek() !== ")") this.list(() => this.member(",)"));
        this.space();
      }
      this.expect(")");
      this.space();
    }
    for (let tag = TAGS.exec(this.rest()); tag; tag = TAGS.exec(this.rest())) {
      this.at += tag[0].length;
      this.space();
    }
    this.command();
  }

  // ALL, an alias, sudoedit FILES, or an absolute path with arguments up to an unescaped "," or ":".
  command() {
    this.space();
    while (this.eat("!")) this.space();
    const start = this.at;
    const name = this.word(",:=");
    if (name === "ALL" || ALIAS_NAME.exec(name)?.[0] === name) return;
    if (name !== "sudoedit" && !name.startsWith("/")) {
      this.at = start;
      this.fail();
    }
    for (this.space(); !this.done() && this.peek() !== "," && this.peek() !== ":"; this.space()) {
      if (this.peek() === "=") this.fail();
      if (this.peek() === '"') this.quoted();
      else this.word(",:=");
    }
  }

  // A user, host or runas entry: !..., ALL, a name, %group, %:group, #uid, +netgroup, an alias, or "quoted".
  member(stops) {
    while (this.eat("!")) this.space();
    if (this.peek() === '"') return this.quoted();
    if (this.rest().startsWith("%:")) this.at += 2;
    return this.word(stops);
  }

  list(item) {
    item();
    for (this.space(); this.eat(","); this.space()) {
      this.space();
      item();
    }
  }

  // Characters up to a space or one of `stops`; a backslash escapes the next one. Empty is an error.
  word(stops) {
    const start = this.at;
    while (!this.done() && !/[ \t]/.test(this.peek()) && !stops.includes(this.peek())) {
      this.at += this.peek() === "\\" && this.at + 1 < this.text.length ? 2 : 1;
    }
    if (this.at === start) this.fail();
    return this.text.slice(start, this.at);
  }

  quoted() {
    const start = this.at++;
    while (!this.done() && this.peek() !== '"') this.at += this.peek() === "\\" ? 2 : 1;
    if (this.done()) {
      this.at = start;
      this.fail();
    }
    this.at++;
  }

  // Blanks, and a comment: "#" not followed by a digit (#1000 is a uid) ends the line.
  space() {
    while (/[ \t]/.test(this.peek())) this.at++;
    if (this.peek() === "#" && !/\d/.test(this.text[this.at + 1] ?? "")) this.at = this.text.length;
  }

  // Lists end after the blanks that follow them: a list and what comes next must be apart.
  afterBlank() {
    return /[ \t]/.test(this.text[this.at - 1] ?? "");
  }

  expect(char) {
    if (!this.eat(char)) this.fail();
  }

  eat(char) {
    if (this.peek() !== char) return false;
    this.at++;
    return true;
  }

  peek() {
    return this.text[this.at] ?? "";
  }

  rest() {
    return this.text.slice(this.at);
  }

  done() {
    return this.at >= this.text.length;
  }

  fail() {
    throw new SyntaxError(this.at);
  }
}
