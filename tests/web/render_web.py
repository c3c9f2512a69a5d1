"""County portals whose annual-report column lists are built by scripts,
for the rendering fallback (tests/test_render.py).

Each portal: a home page with its chrome (banner image, stylesheet, a web
font) linking 政务公开, the section linking 政府信息公开年报, and the column
in one of these shapes, none of which a static reading can follow:

  json       an empty <div> filled from a JSON endpoint by XMLHttpRequest,
             its URL assembled from script variables; the next page's items
             come from a <span onclick> 下一页 that calls the loader again
  iframe     an empty <iframe> whose src a script sets (from pieces); the
             framed list is a plain list page with a static 下一页 link
  codepager  items written by document.write from a script array, their
             URLs built in code; the page count in a variable and the
             next page reached by goPage(n), which assembles the URL
  tabs       year tabs (<li onclick>, no href), each loading its year's list
             by XHR; the first year shown at load
  yearmenu   a directory of year sub-columns (static links); each year's
             page repeats the menu of years beside a list its script
             fetches: the menu's links are siblings, not a list
  storm      a json column (one page) that then fires thousands of requests
             at once

and the hostile ones, whose own reports are none:

  endless    a script that never returns
  memory     a script that allocates without end
  killed     a json column whose list endpoint answers slowly: the test
             kills the browser while the page waits for it

Every page links a stylesheet, a banner image and a font (none may be
requested), loads a script from a CDN off the site (refused), and asks for
/private/ that robots.txt disallows (refused).

render_web(seed) -> (sites, seeds_tsv, expected, shapes): sites maps host
-> path -> (body, content type, status, headers, delay); expected the
(agency, year) set a rendering crawl must land; shapes host -> shape."""
import html
import json
import random

from cms_web import COUNTIES, DEPTS, report_doc
import genlayouts

SHAPES = ["json", "iframe", "codepager", "tabs", "yearmenu", "storm", "endless", "memory", "killed"]
HOSTILE = {"endless", "memory", "killed"}
MORE_COUNTIES = [("511025", "资中县", "www.zizhong.gov.cn"), ("522327", "册亨县", "www.ceheng.gov.cn")]


def chrome(title, body, site, script=""):
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{html.escape(title)}_{html.escape(site)}</title>'
            f'<link rel="stylesheet" href="/css/main.css">'
            f'<style>@font-face{{font-family:f;src:url(/fonts/site.woff2)}} body{{font-family:f;'
            f'background:url(/img/bg.png)}}</style>'
            f'<script src="https://cdn.example.com/jquery.min.js"></script></head><body>'
            f'<div class="head"><img src="/images/banner.jpg" alt="{html.escape(site)}"></div>'
            f'<div class="nav"><a href="/">首页</a><a href="/zwgk/">政务公开</a><a href="/hdjl/">互动交流</a></div>'
            f'<div class="content">{body}</div>'
            f'<div class="foot">主办：{html.escape(site)}办公室</div>'
            f'<script>try{{var p=new XMLHttpRequest();p.open("GET","/private/stat.json");p.send();}}catch(e){{}}</script>'
            f'{script}</body></html>')


def resp(text, ctype="text/html; charset=utf-8", delay=0.0):
    return (text.encode("utf-8") if isinstance(text, str) else text, ctype, 200, {}, delay)


JSON_LOADER = """<div id="list"></div><div class="pager" id="pager"></div>
<script>
var API = '/api/' + 'articles', COL = '%s', PAGE = 1;
function show(n) {
  var x = new XMLHttpRequest();
  x.open('GET', API + '?col=' + COL + '&page=' + n);
  x.onload = function () {
    var d = JSON.parse(x.responseText), h = '';
    d.rows.forEach(function (r) { h += '<li><a href="' + r.path + '" title="' + r.title + '">' + r.title + '</a><span>' + r.date + '</span></li>'; });
    document.getElementById('list').innerHTML = '<ul class="list">' + h + '</ul>';
    PAGE = n;
    document.getElementById('pager').innerHTML = '共' + d.pages + '页 ' +
      (n < d.pages ? '<span class="next" onclick="show(PAGE + 1)">下一页</span>' : '');
    %s
  };
  x.send();
}
show(1);
</script>"""


def render_web(seed):
    rng = random.Random(seed)
    sites, seeds, expected, shapes = {}, ["url\tregion_code\tname"], set(), {}
    counties = rng.sample(COUNTIES + MORE_COUNTIES, len(SHAPES))
    for (code, county, host0), shape in zip(counties, SHAPES):
        host = host0.replace("www.", "xxgk.")
        gov = county + "人民政府"
        site = {}
        shapes[host] = shape

        reports = []
        if shape not in HOSTILE:
            for k, d in enumerate(rng.sample(DEPTS, rng.randrange(5, 12))):
                reports.append((county + d, rng.choice([2021, 2022, 2023, 2024]), k))
            reports.append((gov, 2023, 99))
        for who, year, k in reports:
            expected.add((who, year))

        def article(who, year, k):
            title = f"{who}{year}年政府信息公开工作年度报告"
            path = f"/art/{year + 1}/1/20/art_{k}.html"
            body = genlayouts.render_html(report_doc(rng, who, year), {}).decode("utf-8")
            body = body.split("<body>", 1)[-1].rsplit("</body>", 1)[0]
            site[path] = resp(chrome(title, body, gov))
            return path, title

        items = [article(*r) for r in reports]
        per = rng.choice([3, 4, 5])
        chunks = [items[i:i + per] for i in range(0, len(items), per)] or [[]]
        if shape == "storm":  # the storm spends the requests a next page would need
            chunks = [items]
        col = rng.choice(["/zwgk/ndbg/", "/xxgk/nb/", "/col/col%d/" % rng.randrange(1000, 9999)])

        if shape in ("json", "storm", "killed"):
            colid = str(rng.randrange(100, 999))
            extra = ""
            if shape == "storm":
                extra = ("if (n === 1) for (var i = 0; i < 3000; i++) "
                         "fetch('/api/ping?i=' + i).catch(function () {});")
            body = JSON_LOADER % (colid, extra)
            for p, chunk in enumerate(chunks):
                rows = [{"title": t, "path": pth, "date": "2024-01-20"} for pth, t in chunk]
                site[f"/api/articles?col={colid}&page={p + 1}"] = resp(
                    json.dumps({"pages": len(chunks), "rows": rows}, ensure_ascii=False),
                    "application/json; charset=utf-8", delay=4.0 if shape == "killed" else 0.0)
            for i in range(3000):
                site[f"/api/ping?i={i}"] = resp('{"ok":1}', "application/json")
            site[col] = resp(chrome("政府信息公开年报", body, gov))
        elif shape == "iframe":
            frame_dir = col + "list/"
            for p, chunk in enumerate(chunks):
                lis = "".join(f'<li><a href="{pth}" target="_blank">{html.escape(t)}</a></li>' for pth, t in chunk)
                nav = f'<a href="list_{p + 2}.html">下一页</a>' if p + 1 < len(chunks) else ""
                site[f"{frame_dir}list_{p + 1}.html"] = resp(
                    f'<html><head><meta charset="utf-8"></head><body><ul class="list">{lis}</ul>'
                    f'<div class="page">共{len(chunks)}页 {nav}</div></body></html>')
            body = (f'<iframe id="lf" width="100%" height="600" frameborder="0"></iframe>'
                    f"<script>var dir = location.pathname + 'li' + 'st/';"
                    f"document.getElementById('lf').src = dir + 'list_' + 1 + '.html';</script>")
            site[col] = resp(chrome("政府信息公开年报", body, gov))
        elif shape == "codepager":
            for p, chunk in enumerate(chunks):
                data = json.dumps([[pth.rsplit("/", 1)[0] + "/", pth.rsplit("/", 1)[1][:-5], t]
                                   for pth, t in chunk], ensure_ascii=False)
                body = (f'<ul class="list"><script>var DATA = {data};'
                        f"for (var i = 0; i < DATA.length; i++) document.write('<li><a href=\"' + DATA[i][0] + "
                        f"DATA[i][1] + '.' + 'html\">' + DATA[i][2] + '</a></li>');</script></ul>"
                        f'<div class="pager"><script>var pageCount = {len(chunks)}, cur = {p + 1};'
                        f"function goPage(n) {{ if (n > pageCount) return; location.href = 'index' + "
                        f"(n > 1 ? '_' + (n - 1) : '') + '.html'; }}"
                        f"if (cur < pageCount) document.write('<a href=\"javascript:;\" "
                        f"onclick=\"goPage(cur + 1)\">下一页</a>');</script></div>")
                v = resp(chrome("政府信息公开年报", body, gov))
                site[f"{col}index{'_' + str(p) if p else ''}.html"] = v
                if p == 0:
                    site[col] = v
        elif shape == "tabs":
            years = sorted({y for _, y, _ in reports}, reverse=True)
            for y in years:
                rows = [{"title": t, "path": pth} for (who, yy, k), (pth, t) in zip(reports, items) if yy == y]
                site[f"/api/nb?year={y}"] = resp(json.dumps(rows, ensure_ascii=False), "application/json")
            tabs = "".join(f'<li class="{"on" if i == 0 else ""}" onclick="load({y}, this)">{y}年</li>'
                           for i, y in enumerate(years))
            body = (f'<ul class="year-tabs">{tabs}</ul><div id="list"></div>'
                    "<script>function load(y, el) { var x = new XMLHttpRequest();"
                    "x.open('GET', '/api/' + 'nb?year=' + y); x.onload = function () {"
                    "var h = ''; JSON.parse(x.responseText).forEach(function (r) {"
                    "h += '<li><a href=\"' + r.path + '\">' + r.title + '</a></li>'; });"
                    "document.getElementById('list').innerHTML = '<ul>' + h + '</ul>'; }; x.send(); }"
                    f"load({years[0]});</script>")
            site[col] = resp(chrome("政府信息公开年报", body, gov))
        elif shape == "yearmenu":
            years = sorted({y for _, y, _ in reports}, reverse=True)
            menu = "".join(f'<li><a href="{col}{y}/">{y}年</a></li>' for y in years)
            for y in years:
                rows = [{"title": t, "path": pth, "date": f"{y + 1}-01-20"}
                        for (who, yy, k), (pth, t) in zip(reports, items) if yy == y]
                site[f"/api/articles?col=y{y}&page=1"] = resp(
                    json.dumps({"pages": 1, "rows": rows}, ensure_ascii=False), "application/json; charset=utf-8")
                site[f"{col}{y}/"] = resp(chrome(f"{y}年", f'<ul class="side">{menu}</ul>' + JSON_LOADER % (f"y{y}", ""),
                                                 gov))
            site[col] = resp(chrome("政府信息公开年报", f'<ul class="side">{menu}</ul>', gov))
        elif shape == "endless":
            site[col] = resp(chrome("政府信息公开年报", '<div id="list"></div>', gov,
                                    "<script>for (;;) {}</script>"))
        elif shape == "memory":
            site[col] = resp(chrome("政府信息公开年报", '<div id="list"></div>', gov,
                                    "<script>var hog = []; for (;;) hog.push(new Array(1 << 20).fill(7));</script>"))

        site["/zwgk/"] = resp(chrome("政务公开", f'<ul><li><a href="/zwgk/zcwj/">政策文件</a></li>'
                                              f'<li><a href="{col}">政府信息公开年报</a></li></ul>', gov))
        site["/"] = resp(chrome(gov, '<div><a href="/zwgk/">政务公开</a></div>', gov))
        site["/robots.txt"] = resp("User-agent: *\nDisallow: /private/\n", "text/plain")
        sites[host] = site
        seeds.append(f"http://{host}/\t{code}\t{gov}")
    return sites, "\n".join(seeds) + "\n", expected, shapes
