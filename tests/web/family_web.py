"""County portals whose report lists a crawler reaches only by reading
structure: form-post pagers, department directories, text that differs in
form only, seeds that are columns.  Generated from a seed, so each run of a
seed is the same web and each seed another one; the real shapes each
family comes from are cited in tests/web/README.md.

  webforms   ASP.NET WebForms list (List.aspx): page 1 by GET, the others
             only by posting the server form back with __EVENTTARGET /
             __EVENTARGUMENT and the state fields the last answer gave
             (__VIEWSTATE, __EVENTVALIDATION, sometimes __CSRFTOKEN); a
             post without valid state is refused (HTTP 500), as ASP.NET
             refuses a forged view state.  Pagers: GridView Page$N,
             AspNetPager bare numbers, a SqlPager-like NextPage target with
             no numbers, per-page LinkButtons (WebForm_PostBackOptions).
  pageform   a list form that posts its page number (pageIndex, pageNum,
             currentPage, currpage) with the count in "共 N 页", a script
             variable, a hidden field (sumPageNumber) or goPage(n) links;
             a GET always shows page 1.
  catlist    one list script for every department: iList.jsp?node_id=…&
             cat_id=N&cur_page=1; the column lists its departments as the
             same path with another cat_id (some by short names that are
             no agency's), each department's list paged by cur_page.
  dir2       a department directory: agency-named links (or a <select>
             that navigates on change), each department's own column paged
             (TRS index_N or ?pageNo=).
  dir3       directories three deep: 县直部门 / 乡镇（街道） → agencies →
             their units (…中心, …院, …所, …站), each unit's list paged.
  textforms  the column and its sub-columns named with half-width and
             full-width brackets, spaces (U+3000, nbsp), traditional
             characters; report titles with full-width digits.
  seedcol    the seed is the column itself (its title or its list says so),
             paged by ?page=N.

Every family varies its charset (UTF-8, GBK, GB2312) and carries broken
links: a report title whose page is gone (404), a department whose column
is gone.  The crawl must land exactly `expected`.

family_web(seed) -> (sites, seeds_tsv, expected): sites maps host -> path
-> (body, content type, status, headers) or {"dynamic": f} where
f(method, query, form) returns such a tuple (fixture_web.py serves it)."""
import base64
import html
import json
import random
import urllib.parse

import genlayouts
from cms_web import page

COUNTIES = [
    ("360781", "瑞金市", "www.ruijin.gov.cn"), ("532328", "元谋县", "www.ynym.gov.cn"),
    ("320826", "涟水县", "www.lianshui.gov.cn"), ("610627", "甘泉县", "www.gqx.gov.cn"),
    ("411524", "商城县", "www.hnsc.gov.cn"), ("230125", "宾县", "www.hrbbx.gov.cn"),
    ("510683", "绵竹市", "www.mz.gov.cn"), ("330881", "江山市", "www.jiangshan.gov.cn"),
]
DEPTS = ["教育体育局", "卫生健康委员会", "民政局", "财政局", "发展和改革局", "农业农村局", "司法局",
         "市场监督管理局", "自然资源局", "交通运输局", "应急管理局", "生态环境分局", "水利局", "统计局"]
TOWNS = ["城关镇", "中村乡", "新华街道", "河东乡", "西江镇", "东城街道"]
UNITS = ["疾病预防控制中心", "人民医院", "妇幼保健院", "司法所", "农业技术推广站", "社会保险事业管理中心"]
FAMILIES = ["webforms", "pageform", "catlist", "dir2", "dir3", "textforms", "seedcol"]
SHORT = {"教育体育局": "教体", "卫生健康委员会": "卫健", "民政局": "民政", "财政局": "财政",
         "发展和改革局": "发改", "农业农村局": "农业农村", "司法局": "司法", "市场监督管理局": "市场监管",
         "自然资源局": "自然资源", "交通运输局": "交通", "应急管理局": "应急", "生态环境分局": "环保",
         "水利局": "水利", "统计局": "统计"}
# Traditional forms the textforms family writes (OpenCC t2s reads them back).
HANT = str.maketrans({"县": "縣", "门": "門", "开": "開", "报": "報", "务": "務", "区": "區",
                      "镇": "鎮", "乡": "鄉", "街": "街", "道": "道", "年": "年", "度": "度"})
FULLWIDTH = str.maketrans("0123456789()", "０１２３４５６７８９（）")


def enc(text, charset):
    return text.encode(charset, errors="xmlcharrefreplace")


class County:
    """One portal: its routes, what it must land, and helpers."""

    def __init__(self, rng, code, county, host, family):
        self.rng, self.code, self.county, self.host, self.family = rng, code, county, host, family
        self.gov = county + "人民政府"
        self.charset = rng.choice(["utf-8", "gbk", "gb2312"])
        self.site, self.expected, self.k = {}, set(), 0

    def page(self, title, body, crumbs="政府信息公开年报"):
        return page(title, body, self.charset, site=self.gov, crumbs=crumbs)

    def report(self, who, in_dir, broken=False):
        """A report of `who` for a year it has none of yet: (href, title)."""
        years = [y for y in range(2019, 2025) if (who, y) not in self.expected]
        if not years:
            return None
        year = self.rng.choice(years)
        self.k += 1
        title = f"{who}{year}年政府信息公开工作年度报告"
        path = f"{in_dir}{year + 1}01/t{year + 1}0120_{self.k}.html"
        if broken:  # the list names it; the page is gone
            return path, title
        rec = genlayouts.random_record(self.rng, "2021")
        rec["agency"], rec["year"] = who, year
        doc = genlayouts.document(rec, {"title": self.rng.choice(["one", "two"])}, self.rng)
        if self.rng.random() < 0.3:
            docx = f"{in_dir}{year + 1}01/P0{year + 1}0120{self.k:03d}.docx"
            self.site[docx] = (genlayouts.render_docx(doc, {}, self.rng),
                               "application/vnd.openxmlformats-officedocument.wordprocessingml.document", 200, {})
            self.site[path] = self.page(title, f"<h1>{html.escape(title)}</h1>"
                                        f'<p>附件：<a href="{docx}">{html.escape(title)}.docx</a></p>')
        else:
            body = genlayouts.render_html(doc, {}).decode("utf-8").split("<body>", 1)[-1].rsplit("</body>", 1)[0]
            self.site[path] = self.page(title, body)
        self.expected.add((who, year))
        return path, title

    def items(self, whos, in_dir, n=None, spell=None):
        """List items for reports of `whos` (n of them), one broken now and
        then; `spell` rewrites the shown title (and drops title=)."""
        out = []
        n = n if n is not None else self.rng.randrange(2, 9)
        for _ in range(n):
            who = self.rng.choice(whos)
            if len([1 for a, _ in self.expected if a == who]) >= 6:
                continue
            href, title = self.report(who, in_dir)
            out.append(self.li(href, title) if not spell else
                       f'<li><a href="{html.escape(href)}">{html.escape(spell(title))}</a></li>')
        gone = self.report(self.rng.choice(whos), in_dir, broken=True) if self.rng.random() < 0.4 else None
        if gone:
            out.append(self.li(*gone))
        return out

    def li(self, href, title, date="2024-01-20"):
        shown = title if self.rng.random() < 0.6 else title[:16] + "..."
        return (f'<li><a href="{html.escape(href)}" title="{html.escape(title)}" target="_blank">'
                f"{html.escape(shown)}</a><span>{date}</span></li>")

    def chrome(self, col):
        """The home page and the 政务公开 section that lead to `col`."""
        self.site["/zwgk/"] = self.page("政务公开", '<ul><li><a href="/zwgk/zcwj/">政策文件</a></li>'
                                        f'<li><a href="{html.escape(col)}">政府信息公开年报</a></li>'
                                        '<li><a href="/zwgk/rsxx/">人事信息</a></li></ul>', crumbs="政务公开")
        self.site["/"] = self.page(self.gov, '<div><a href="/zwgk/">政务公开</a>'
                                   '<a href="http://www.gov.cn/">中国政府网</a></div>', crumbs="")


def chunks(items, per):
    return [items[i:i + per] for i in range(0, len(items), per)] or [[]]


# ---- webforms ----

def webforms(c):
    rng = c.rng
    cid = rng.randrange(10, 99)
    path = "/xxgk/nb/List.aspx"
    col = f"{path}?cid={cid}"
    style = rng.choice(["gridview", "aspnetpager", "nextonly", "options", "depts"])
    per = rng.choice([5, 6, 8])
    # "depts": LinkButtons that choose a department (no pager's), each
    # department's list behind its own GridView pager; the others: one list.
    depts = rng.sample(DEPTS, rng.randrange(3, 6)) if style == "depts" else []
    lists = [chunks(c.items([c.gov] + ([] if depts else [c.county + d for d in DEPTS]), "/xxgk/nb/",
                            rng.randrange(3, 8) if depts else rng.randrange(12, 30)), per)]
    for i, d in enumerate(depts):
        lists.append(chunks(c.items([c.county + d], f"/xxgk/nb/d{i}/", rng.randrange(2, 12)), rng.choice([2, 3])))
    in_onclick = rng.random() < 0.5  # href="javascript:void(0)" onclick="__doPostBack(…)"
    ddl = depts and rng.random() < 0.5  # the departments in an AutoPostBack DropDownList
    csrf = rng.random() < 0.5
    issued = set()  # event validations and tokens this server gave out
    grid = "ctl00$ContentPlaceHolder1$gvList"

    def state(d, p):
        vs = base64.b64encode(json.dumps({"d": d, "p": p, "n": rng.random()}).encode()).decode()
        ev = base64.b64encode(rng.randbytes(24)).decode()
        issued.add(ev)
        tok = base64.b64encode(rng.randbytes(20)).decode() if csrf else None
        if tok:
            issued.add(tok)
        return vs, ev, tok

    def postback(target, arg, text):
        if in_onclick:
            return (f"<a href=\"javascript:void(0)\" onclick=\"__doPostBack('{target}','{arg}');return false;\">"
                    f"{text}</a>")
        return f"<a href=\"javascript:__doPostBack('{target}','{arg}')\">{text}</a>"

    def pager(d, p):
        n = len(lists[d + 1])
        links = []
        if n == 1:
            return ""
        if style in ("gridview", "depts"):
            for q in range(1, n + 1):
                links.append(f"<span>{q}</span>" if q == p else postback(grid, f"Page${q}", str(q)))
        elif style == "aspnetpager":
            def a(text, q):
                return postback("AspNetPager1", q, text)
            links += [a("首页", 1), a("上一页", max(1, p - 1))]
            links += [f"<span>{q}</span>" if q == p else a(str(q), q) for q in range(1, n + 1)]
            links += [a("下一页", min(n, p + 1)), a("尾页", n)]
        elif style == "nextonly":
            if p > 1:
                links.append("<a href=\"javascript:__doPostBack('ctl00$SqlPager1$PrevPage','')\">上一页</a>")
            if p < n:
                links.append("<a href=\"javascript:__doPostBack('ctl00$SqlPager1$NextPage','')\">下一页</a>")
            links.append(f"<span>第{p}页/共{n}页</span>")
        else:
            for q in range(1, n + 1):
                target = f"ctl00$main$rptPager$ctl{q:02d}$lnkPage"
                links.append(f"<span>{q}</span>" if q == p else
                             f'<a href="javascript:WebForm_DoPostBackWithOptions(new WebForm_PostBackOptions('
                             f'&quot;{target}&quot;, &quot;&quot;, true, &quot;&quot;, &quot;&quot;, false, true))">'
                             f"{q}</a>")
        return '<div class="pager">' + " ".join(links) + "</div>"

    def render(d, p):
        vs, ev, tok = state(d, p)
        action = rng.choice([f"./List.aspx?cid={cid}", f"List.aspx?cid={cid}"])
        hidden = (f'<input type="hidden" name="__EVENTTARGET" id="__EVENTTARGET" value="" />'
                  f'<input type="hidden" name="__EVENTARGUMENT" id="__EVENTARGUMENT" value="" />'
                  f'<input type="hidden" name="__VIEWSTATE" id="__VIEWSTATE" value="{vs}" />'
                  f'<input type="hidden" name="__VIEWSTATEGENERATOR" value="C2EE9ABB" />'
                  f'<input type="hidden" name="__EVENTVALIDATION" value="{ev}" />')
        if tok:
            hidden += f'<input type="hidden" name="__CSRFTOKEN" value="{tok}" />'
        body = (f'<form method="post" action="{action}" id="form1"><div class="aspNetHidden">{hidden}</div>'
                f'<script type="text/javascript">function __doPostBack(t, a) {{ var f = document.forms["form1"];'
                f" f.__EVENTTARGET.value = t; f.__EVENTARGUMENT.value = a; f.submit(); }}</script>"
                f'<div class="search"><input name="ctl00$txtKey" type="text" value="" />'
                f'<input type="submit" name="ctl00$btnSearch" value="搜索" /></div>'
                + (dropdown(d) if ddl else f'<div class="bm"><ul>{"".join(buttons)}</ul></div>' if depts else "")
                + f'<table id="ContentPlaceHolder1_gvList"><tr><td><ul class="list">{"".join(lists[d + 1][p - 1])}'
                f"</ul></td></tr></table>{pager(d, p)}</form>")
        return c.page("政府信息公开年报", body)

    buttons = [f"<li>{postback(f'ctl00$main$rptDept$ctl{i:02d}$lbDept', '', c.county + d)}</li>"
               for i, d in enumerate(depts)]

    def dropdown(cur):
        # As ASP.NET renders an AutoPostBack DropDownList (escaped quotes and all).
        opts = [f'<option value="-1"{" selected" if cur == -1 else ""}>全部</option>']
        opts += [f'<option value="{i}"{" selected" if cur == i else ""}>{c.county + d}</option>'
                 for i, d in enumerate(depts)]
        return ('<div class="bm">部门：<select name="ctl00$main$ddlDept" id="main_ddlDept" onchange="javascript:'
                "setTimeout(&#39;__doPostBack(\\&#39;ctl00$main$ddlDept\\&#39;,\\&#39;\\&#39;)&#39;, 0)\">"
                + "".join(opts) + "</select></div>")

    def answer(method, query, form):
        if method != "POST":
            return render(-1, 1)
        f = urllib.parse.parse_qs(form or "", keep_blank_values=True)
        get = lambda k: (f.get(k) or [""])[0]
        try:
            vs = json.loads(base64.b64decode(get("__VIEWSTATE")))
            cur, d = vs["p"], vs["d"]
        except (ValueError, KeyError, TypeError):
            cur = None
        if cur is None or get("__EVENTVALIDATION") not in issued or (csrf and get("__CSRFTOKEN") not in issued):
            return (b"<h1>Server Error</h1><p>Validation of viewstate MAC failed.</p>", "text/html", 500, {})
        t, a = get("__EVENTTARGET"), get("__EVENTARGUMENT")
        if t.endswith("$ddlDept") and ddl:
            d, p = int(get("ctl00$main$ddlDept") or "-2"), 1
            return render(d, p) if -1 <= d < len(depts) else (b"<h1>Server Error</h1>", "text/html", 500, {})
        if t.endswith("$lbDept") and depts:
            d, p = int(t.split("$")[-2][3:]), 1
            return render(d, p) if d < len(depts) else (b"<h1>Server Error</h1>", "text/html", 500, {})
        n = len(lists[d + 1])
        if style in ("gridview", "depts") and t == grid and a.startswith("Page$"):
            p = int(a[5:])
        elif style == "aspnetpager" and t == "AspNetPager1" and a.isdigit():
            p = int(a)
        elif style == "nextonly" and t.endswith("NextPage"):
            p = cur + 1
        elif style == "nextonly" and t.endswith("PrevPage"):
            p = cur - 1
        elif style == "options" and t.endswith("$lnkPage"):
            p = int(t.split("$")[-2][3:])
        else:
            p = cur
        if not 1 <= p <= n:
            return (b"<h1>Server Error</h1>", "text/html", 500, {})
        return render(d, p)

    c.site[path] = {"dynamic": answer}
    c.chrome(col)
    return f"webforms/{style}{'+ddl' if ddl else ''}{'+csrf' if csrf else ''}{'+onclick' if in_onclick else ''}"


# ---- pageform ----

def pageform(c):
    rng = c.rng
    chan = rng.randrange(100, 999)
    path = "/gkml/nbList.jsp"
    items = c.items([c.gov] + [c.county + d for d in DEPTS], "/gkml/nb/", rng.randrange(10, 28))
    pages = chunks(items, rng.choice([4, 6, 9]))  # ten items or more: two pages at least
    field = rng.choice(["pageIndex", "pageNum", "currentPage", "currpage"])
    count = rng.choice(["text", "var", "hidden", "links"])
    n = len(pages)

    def render(p):
        hidden = (f'<input type="hidden" name="{field}" id="{field}" value="{p}">'
                  f'<input type="hidden" name="channelId" value="{chan}">'
                  '<input type="hidden" name="pageSize" value="10">')
        js = (f"function goPage(n){{document.getElementById('{field}').value=n;"
              "document.getElementById('pageForm').submit();}")
        nav = []
        if count == "links":
            nav = [f"<span>{q}</span>" if q == p else f'<a href="javascript:goPage({q})">{q}</a>'
                   for q in range(1, n + 1)]
        elif count == "hidden":
            hidden += f'<input type="hidden" name="sumPageNumber" id="sumPageNumber" value="{n}">'
            js += (f"function toNextPage(){{var c=parseInt(document.getElementById('{field}').value);"
                   "if(c<parseInt(document.getElementById('sumPageNumber').value)){goPage(c+1);}}")
            nav = ['<a href="javascript:void(0)" onclick="toNextPage()">下一页</a>']
        else:
            if p < n:
                nav.append(f'<a href="javascript:void(0);" onclick="goPage({p + 1})">下一页</a>')
            nav.append(f"<span>共 {n} 页</span>" if count == "text" else "")
            if count == "var":
                js += f"var totalPage = {n};"
        body = (f'<form id="pageForm" name="pageForm" method="post" action="nbList.jsp?channelId={chan}">'
                f'{hidden}</form><script>{js}</script><ul class="list">{"".join(pages[p - 1])}</ul>'
                f'<div class="page">{" ".join(nav)}</div>')
        return c.page("政府信息公开年报", body)

    def answer(method, query, form):
        if method != "POST":
            return render(1)
        f = urllib.parse.parse_qs(form or "")
        v = (f.get(field) or ["1"])[0]
        if (f.get("channelId") or [""])[0] != str(chan) or not v.isdigit() or not 1 <= int(v) <= n:
            return (enc("<p>参数错误</p>", c.charset), f"text/html; charset={c.charset}", 200, {})
        return render(int(v))

    c.site[path] = {"dynamic": answer}
    c.chrome(f"{path}?channelId={chan}")
    return f"pageform/{field}/{count}"


# ---- catlist ----

def catlist(c):
    rng = c.rng
    node = "GK" + c.host.split(".")[1]
    lst = "/info/iList.jsp"
    depts = rng.sample(DEPTS, rng.randrange(3, 7))
    short = rng.random() < 0.5
    base = rng.randrange(15000, 25000)
    # The parameter that names the department, and the one that pages.
    param, pager = rng.choice([("cat_id", "cur_page"), ("deptid", "pageNo"), ("unitid", "currpage"),
                               ("infotypeId", "cur_page")])

    def url(cat, p=1):
        return f"{lst}?node_id={node}&{param}={cat}&{pager}={p}"

    def paged(cat, items, title):
        pages = chunks(items, rng.choice([3, 5]))
        for p, part in enumerate(pages, 1):
            nav = []
            if p < len(pages):
                nav.append(f'<a href="{html.escape(url(cat, p + 1))}">下一页</a>')
            body = (f'<div class="ewb-job"><ul>{"".join(part)}</ul></div>'
                    f'<div class="ewb-page">{" ".join(nav)}</div>')
            c.site[url(cat, p)] = c.page(title, body)

    cats = []
    for i, d in enumerate(depts):
        cat = base + i + 1
        name = SHORT[d] if short else c.county + d
        cats.append(f'<li><a href="{html.escape(url(cat))}">{name}</a></li>')
        paged(cat, c.items([c.county + d], f"/info/{cat}/", rng.randrange(1, 5)), name)
    gone = base + len(depts) + 1  # a department whose list is gone
    cats.append(f'<li><a href="{html.escape(url(gone))}">{"档案" if short else c.county + "档案局"}</a></li>')
    own = c.items([c.gov], f"/info/{base}/", rng.randrange(1, 4))
    body = (f'<div class="ewb-tree"><ul>{"".join(cats)}</ul></div>'
            f'<div class="ewb-job"><ul>{"".join(own)}</ul></div>')
    c.site[url(base)] = c.page("政府信息公开年报", body)
    c.chrome(url(base))
    return f"catlist/{param}/{'short' if short else 'names'}"


# ---- dir2, dir3 ----

def dept_column(c, col, who, title, crumbs):
    """A department's own column at `col`, paged as TRS (index_N) or by ?pageNo=."""
    rng = c.rng
    items = c.items([who], col, rng.randrange(1, 6))
    pages = chunks(items, rng.choice([2, 3]))
    trs = rng.random() < 0.5
    for p, part in enumerate(pages):
        body = f'<ul class="list">{"".join(part)}</ul>'
        if trs:
            body += f'<script>createPageHTML({len(pages)}, {p}, "index", "html");</script>'
            c.site[col + ("index.html" if p == 0 else f"index_{p}.html")] = c.page(title, body, crumbs)
        else:
            if p + 1 < len(pages):
                body += f'<div class="pager"><a href="{col}list.jsp?pageNo={p + 2}">下一页</a></div>'
            c.site[f"{col}list.jsp?pageNo={p + 1}"] = c.page(title, body, crumbs)
    c.site[col] = c.site[col + "index.html"] if trs else c.site[f"{col}list.jsp?pageNo=1"]


def dir2(c):
    rng = c.rng
    col = "/bmxxgk/nb/"
    # The departments as links, or as a <select> that navigates on change.
    as_select = rng.random() < 0.4
    links = []
    for i, d in enumerate(rng.sample(DEPTS, rng.randrange(3, 8))):
        sub = f"/bmxxgk/{i:02d}{rng.randrange(100, 999)}/nb/"
        links.append((sub, c.county + d))
        dept_column(c, sub, c.county + d, c.county + d, f"部门年报 &gt; {c.county}{d}")
    links.append(("/bmxxgk/gone/nb/", c.county + "档案局"))
    own = c.items([c.gov], col + "bj/", rng.randrange(1, 4))
    if as_select:
        handler = rng.choice(["window.location.href=this.value",
                              "if(this.value!=''){window.open(this.options[this.selectedIndex].value)}"])
        menu = (f'<div class="bmlist">部门：<select onchange="{handler}"><option value="">请选择部门</option>'
                + "".join(f'<option value="{u}">{t}</option>' for u, t in links) + "</select></div>")
    else:
        menu = '<div class="bmlist"><ul>' + "".join(f'<li><a href="{u}">{t}</a></li>' for u, t in links) + "</ul></div>"
    c.site[col] = c.page("政府信息公开年报", f'{menu}<ul class="list">{"".join(own)}</ul>')
    c.chrome(col)
    return f"dir2/{'select' if as_select else 'links'}"


def dir3(c):
    rng = c.rng
    col = "/xxgk/ndbg/"
    groups = {"县直部门": [c.county + d for d in rng.sample(DEPTS, 3)],
              "乡镇（街道）": [c.county + t + "人民政府" if rng.random() < 0.5 else c.county + t
                          for t in rng.sample(TOWNS, 3)]}
    glinks = []
    for gi, (g, agencies) in enumerate(groups.items()):
        gdir = f"{col}g{gi}/"
        glinks.append(f'<li><a href="{gdir}">{g}</a></li>')
        alinks = []
        for ai, who in enumerate(agencies):
            adir = f"{gdir}a{ai}/"
            alinks.append(f'<li><a href="{adir}">{who}</a></li>')
            units = [who.replace("人民政府", "") + u for u in rng.sample(UNITS, 3)]
            ulinks = []
            for ui, unit in enumerate(units):
                udir = f"{adir}u{ui}/"
                ulinks.append(f'<li><a href="{udir}">{unit}</a></li>')
                dept_column(c, udir, unit, unit, f"{g} &gt; {who} &gt; {unit}")
            own = c.items([who], adir + "bj/", rng.randrange(1, 3))
            c.site[adir] = c.page(who, f'<div class="xsdw"><h3>下属单位</h3><ul>{"".join(ulinks)}</ul></div>'
                                  f'<ul class="list">{"".join(own)}</ul>', f"{g} &gt; {who}")
        c.site[gdir] = c.page(g, f'<ul class="dept">{"".join(alinks)}</ul>', g)
    own = c.items([c.gov], col + "bj/", rng.randrange(1, 3))
    c.site[col] = c.page("政府信息公开年报", f'<ul class="group">{"".join(glinks)}</ul>'
                         f'<ul class="list">{"".join(own)}</ul>')
    c.chrome(col)
    return "dir3"


# ---- textforms ----

def textforms(c):
    rng = c.rng
    col = f"/zwgk/c{rng.randrange(1000, 9999)}/"  # no column token: its name must be read

    def spell(text):
        way = rng.choice(["half", "full", "spaces", "hant"])
        if way == "half":
            return text.replace("（", "(").replace("）", ")")
        if way == "full":
            return text.replace("(", "（").replace(")", "）")
        if way == "spaces":
            return rng.choice(["\u3000", "\u00a0", " "]).join(text)
        return text.translate(HANT)

    towns = rng.sample(TOWNS, 4)  # a town is one agency however it is named: each in one group
    subs = {"县(市、区)": [c.county + t + "人民政府" for t in towns[:2]],
            "县直部门": [c.county + d for d in rng.sample(DEPTS, 2)],
            "乡镇（街道）": [c.county + t for t in towns[2:]]}
    links = []
    for i, (name, whos) in enumerate(subs.items()):
        sub = f"{col}{i + 1:03d}/"
        items = c.items(whos, sub, rng.randrange(2, 5),
                        spell=lambda t: rng.choice([t.translate(FULLWIDTH), "\u3000".join(t.split("年", 1)),
                                                    t.translate(HANT), t]))
        c.site[sub] = c.page(name, f'<ul class="list">{"".join(items)}</ul>', f"信息公开年报 &gt; {name}")
        links.append(f'<li><a href="{sub}">{html.escape(spell(name))}</a></li>')
    c.site[col] = c.page("信息公开年报", f'<ul class="sub">{"".join(links)}</ul>')
    section = "/zwgk/"
    c.site[section] = c.page("政务公开", '<ul><li><a href="/zwgk/zcwj/">政策文件</a></li>'
                             f'<li><a href="{col}">{html.escape(spell("政府信息公开年报").translate(HANT))}</a></li>'
                             "</ul>", crumbs="政务公开")
    c.site["/"] = c.page(c.gov, f'<div><a href="{section}">{html.escape("政务公开".translate(HANT))}</a></div>',
                         crumbs="")
    return "textforms"


# ---- seedcol ----

def seedcol(c):
    rng = c.rng
    col = "/xxgk/nb/list.html"
    items = c.items([c.gov] + [c.county + d for d in DEPTS], "/xxgk/nb/", rng.randrange(6, 20))
    pages = chunks(items, rng.choice([3, 5]))
    named = rng.random() < 0.5
    for p, part in enumerate(pages, 1):
        nav = []
        if p < len(pages):
            nav.append(f'<a href="list.html?page={p + 1}">下一页</a>')
        body = (f'<ul class="list">{"".join(part)}</ul><div class="page">{" ".join(nav)}</div>'
                '<div class="side"><a href="/zwgk/">政务公开</a></div>')
        title = "政府信息公开年报" if named else "信息公开"
        c.site[col if p == 1 else f"{col}?page={p}"] = c.page(title, body, crumbs=title)
    c.seed_path = col
    return f"seedcol/{'title' if named else 'list'}"


BUILDERS = {"webforms": webforms, "pageform": pageform, "catlist": catlist, "dir2": dir2, "dir3": dir3,
            "textforms": textforms, "seedcol": seedcol}


def family_web(seed, families=None):
    rng = random.Random(seed)
    sites, seeds, expected, shapes = {}, ["url\tregion_code\tname"], set(), []
    names = families or [FAMILIES[(seed + i) % len(FAMILIES)] for i in range(len(FAMILIES))]
    for (code, county, host), fam in zip(rng.sample(COUNTIES, len(names)), names):
        c = County(rng, code, county, host, fam)
        c.seed_path = "/"
        shapes.append(f"{host}: {BUILDERS[fam](c)} ({c.charset})")
        sites[host] = c.site
        expected |= c.expected
        seeds.append(f"http://{host}{c.seed_path}\t{code}\t{c.gov}")
    return sites, "\n".join(seeds) + "\n", expected, shapes


if __name__ == "__main__":
    import sys
    s = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    _, tsv, exp, sh = family_web(s)
    print(tsv, "\n".join(sh), f"{len(exp)} reports", sep="\n")
