"""A fixture web where every agency prints its name a different way each year.

The family tests/test_identity.py draws from: county portals whose annual-
report columns list five years of reports by the county government, two
bureaus and a town, each year in one of the forms real reports use
(淮安市洪泽区人民政府 / 洪泽区人民政府 / 洪泽区政府 / 江苏省淮安市洪泽区人民政府 /
淮安洪泽区人民政府; 洪泽区卫生健康局 / 区卫生健康局 / 卫生健康局; 中村乡 /
中村乡人民政府 / 洪泽区中村乡人民政府), and a city portal whose 县（市、区）
column relists one county bureau's report under its bare name, the county
named only in the link text.  The city's copy is a different document for
the same agency and year, published later: both are kept, the later one is
current.

identity_web(seed) -> (sites, seeds_tsv, expected), where sites maps host ->
path -> (body bytes, content type), and expected maps agency key -> the
years it must hold (every one, no gap).  Deterministic for a seed; the test
runs several seeds."""
import html
import random

import genlayouts

# (code, county, city, province, host); the city's stem where it has one.
PLACES = [
    ("320813", "洪泽区", "淮安市", "江苏省", "www.hongze.gov.cn"),
    ("360733", "会昌县", "赣州市", "江西省", "www.huichang.gov.cn"),
    ("532329", "武定县", "楚雄彝族自治州", "云南省", "www.wuding.gov.cn"),
    ("130706", "下花园区", "张家口市", "河北省", "www.xhy.gov.cn"),
    ("370103", "市中区", "济南市", "山东省", "www.jnszq.gov.cn"),
    ("140825", "新绛县", "运城市", "山西省", "www.xinjiang.gov.cn"),
    ("411523", "新县", "信阳市", "河南省", "www.xinxian.gov.cn"),
    ("652901", "阿克苏市", "阿克苏地区", "新疆维吾尔自治区", "www.aks.gov.cn"),
]
SHORT = {"楚雄彝族自治州": "楚雄州", "阿克苏地区": "阿克苏"}
DEPTS = ["卫生健康局", "教育局", "市场监督管理局", "民政局", "农业农村局", "自然资源局"]
TOWNS = [("中村乡", "中村乡人民政府"), ("城关镇", "城关镇人民政府"), ("新华街道", "新华街道办事处")]
YEARS = [2020, 2021, 2022, 2023, 2024]


def stem(name):
    if SHORT.get(name):
        return SHORT[name]
    for end in ("市", "县", "区"):
        if name.endswith(end) and len(name) - len(end) >= 2:
            return name[: -len(end)]
    return None


def gov_forms(code, county, city, prov):
    f = [city + county + "人民政府", county + "人民政府", county + "政府",
         prov + city + county + "人民政府", city + county + "政府"]
    if stem(city):
        f.append(stem(city) + county + "人民政府")
    return f


def dept_forms(county, city, d):
    level = county[-1] if county[-1] in "县区" else None
    f = [county + d, city + county + d, d]
    if level:
        f.append(level + d)
    return f


def town_forms(county, t, full):
    return [t, full, county + full, county + t + ("政府" if not t.endswith("街道") else "办")]


def report(rng, agency, year, fmt, published=None):
    """A report document: (bytes, content type)."""
    rec = genlayouts.random_record(rng, "2021")
    rec["agency"], rec["year"] = agency, year
    blocks = genlayouts.document(rec, {"title": rng.choice(["one", "two", "inphrase"])}, rng)
    if published:
        blocks[-1] = ("p", published)
    if fmt == "docx":
        return (genlayouts.render_docx(blocks, {}, rng),
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    return genlayouts.render_html(blocks, {}), "text/html; charset=utf-8"


def column_page(site_name, title, items, page, pages, stem_name):
    lis = "".join(f'<li><a href="{html.escape(h)}" title="{html.escape(t)}" target="_blank">'
                  f'{html.escape(t)}</a><span>{d}</span></li>' for h, t, d in items)
    pager = (f'<div class="page"><script>createPageHTML({pages}, {page}, "{stem_name}", "html");'
             "</script></div>" if pages > 1 else "")
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}_{site_name}</title></head>'
            f'<body><div class="nav"><a href="/">首页</a> <a href="/zwgk/">政务公开</a></div>'
            f'<div class="location">当前位置：<a href="/">首页</a> &gt; 政府信息公开年报</div>'
            f'<ul class="list">{lis}</ul>{pager}'
            f'<div class="footer">主办：{site_name}办公室</div></body></html>').encode()


def identity_web(seed):
    rng = random.Random(seed)
    places = rng.sample(PLACES, 4)
    sites, seeds, expected = {}, ["url\tregion_code\tname"], {}
    relisted = None
    for code, county, city, prov, host in places:
        site = {}
        gov = county + "人民政府"
        dept = rng.sample(DEPTS, 2)
        town, town_full = rng.choice(TOWNS)
        families = [(gov_forms(code, county, city, prov), "人民政府")]
        families += [(dept_forms(county, city, d), d) for d in dept]
        families.append((town_forms(county, town, town_full), town_full))
        items = []
        for forms, normal in families:
            key = f"{code}|{normal}"
            expected[key] = list(YEARS)
            # Every form at least once over the years, in a random order.
            order = (forms * 2)[: len(YEARS)]
            rng.shuffle(order)
            for year, printed in zip(YEARS, order):
                fmt = rng.choice(["html", "docx"])
                n = len(items) + 1
                path = f"/zwgk/zfxxgknb/{year + 1}01/t{year + 1}0120_{n}.{'html' if fmt == 'html' else 'docx'}"
                site[path] = report(rng, printed, year, fmt, f"{year + 1}年1月{10 + n % 15}日")
                items.append((path, f"{printed}{year}年政府信息公开工作年度报告", f"{year + 1}-01-20"))
            if normal == dept[0] and relisted is None:
                relisted = (code, county, city, normal)
        rng.shuffle(items)
        per = 12
        pages = (len(items) + per - 1) // per
        for p in range(pages):
            name = "index.html" if p == 0 else f"index_{p}.html"
            site["/zwgk/zfxxgknb/" + name] = (column_page(gov, "政府信息公开年报", items[p * per:(p + 1) * per],
                                                          p, pages, "index"), "text/html; charset=utf-8")
        site["/zwgk/zfxxgknb/"] = site["/zwgk/zfxxgknb/index.html"]
        sites[host] = site
        seeds.append(f"http://{host}/zwgk/zfxxgknb/\t{code}\t{gov}")
    # The city portal: one county bureau's 2023 report again, printed bare,
    # the county only in the link text; published later than the county's.
    code, county, city, normal = relisted
    chost = "www.city%s.gov.cn" % code[:4]
    path = "/xxgk/xsq/202402/t20240301_1.docx"
    cs = {path: report(rng, normal, 2023, "docx", "2024年3月1日")}
    cs["/xxgk/xsq/index.html"] = (column_page(city + "人民政府", "县（市、区）", [
        (path, f"{county}{normal}2023年政府信息公开工作年度报告", "2024-03-01")], 0, 1, "index"),
        "text/html; charset=utf-8")
    sites[chost] = cs
    seeds.append(f"http://{chost}/xxgk/xsq/index.html\t{code[:4]}00\t{city}人民政府")
    return sites, "\n".join(seeds) + "\n", expected, (f"{code}|{normal}", 2023, f"http://{chost}{path}")
