"""Role parsing, shared affixes, registry resolution."""
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calgen.errors import MappingError
from calgen.extract import agencies
from calgen.extract.agencies import parse_roles, split_names
from calgen.extract.registry import make_slug
from calgen.extract.scan import search_from
from calgen.rules import Rules
from calgen.settings import Settings

# (task text with its agency part, first-listed-is-lead convention) → (lead, responsible, support)
ROLE_CASES = [
    ("推进。(省政务服务数据管理局牵头，省有关部门及各地级以上市按职责分工负责)",
     (["省政务服务数据管理局"], ["省有关部门", "各地级以上市"], [])),
    ("推进。(省政府办公厅和省市场监管局、司法厅、政务服务数据管理局牵头，省有关部门按职责分工负责)",
     (["省政府办公厅", "省市场监管局", "省司法厅", "省政务服务数据管理局"], ["省有关部门"], [])),
    ("推进。(省税务局、深圳市税务局负责)", ([], ["省税务局", "深圳市税务局"], [])),   # several 负责, none 牵头
    ("推进。(省人力资源社会保障厅等省有关部门及各地级以上市按职责分工负责)",
     ([], ["省人力资源社会保障厅", "省有关部门", "各地级以上市"], [])),
    ("推进。(省市场监管局牵头，广州、深圳、珠海市配合)", (["省市场监管局"], [], ["广州市", "深圳市", "珠海市"])),
    ("推进。(市、县级政务服务统筹管理机构牵头，市、县级政务服务实施单位配合)",
     (["市级政务服务统筹管理机构", "县级政务服务统筹管理机构"], [], ["市级政务服务实施单位", "县级政务服务实施单位"])),
    ("推进。(省市场监管局牵头，省公安厅、税务局、人民银行广州分行等配合)",
     (["省市场监管局"], [], ["省公安厅", "省税务局", "人民银行广州分行"])),
    ("推进。(责任单位：市市场监管局牵头，市人力资源社会保障局、东莞海关等有关部门按职责分工负责)",
     (["市市场监管局"], ["市人力资源社会保障局", "东莞海关", "有关部门"], [])),
    ("推进。(责任单位：市政府办公室，市市场监管局牵头，市司法局等有关部门按职责分工负责)",
     (["市政府办公室", "市市场监管局"], ["市司法局", "有关部门"], [])),
    ("推进。〔牵头单位：市发展改革局；责任单位：市财政局、商务局，6月底完成〕",
     (["市发展改革局"], ["市财政局", "市商务局"], [])),
    ("推进清单管理。\n牵头单位：市政务服务数据管理局\n配合单位：市司法局、市财政局",
     (["市政务服务数据管理局"], [], ["市司法局", "市财政局"])),
    ("推进。(省工业和信息化厅、文化和旅游厅负责)", ([], ["省工业和信息化厅", "省文化和旅游厅"], [])),
    ("推进。(市“双随机、一公开”监管工作联席会议成员单位按职责分工负责)",
     ([], ["市“双随机、一公开”监管工作联席会议成员单位"], [])),
    ("推进。(各县(市、区)政府负责)", (["各县(市、区)政府"], [], [])),
    ("省政府办公厅(省政务服务数据管理局)牵头统筹协调推动工作，其中，省政务服务数据管理局要建立工作台账。",
     (["省政府办公厅", "省政务服务数据管理局"], [], [])),
    ("省政务服务数据管理局会同各地级以上市政府、省有关部门对照清单梳理。",
     (["省政务服务数据管理局"], ["各地级以上市政府", "省有关部门"], [])),
    ("推进。(省委编办牵头，各地级以上市政府配合)", (["省委编办"], [], ["各地级以上市政府"])),
    ("推进。(市府办〔市大数据局〕牵头，国网某某供电公司、某某海关按职责分工负责)",
     (["市府办〔市大数据局〕"], ["国网某某供电公司", "某某海关"], [])),
    ("推进。(市发展改革委、市财政局分别负责)", ([], ["市发展改革委", "市财政局"], [])),
    ("推进。(市发展改革委、市财政局分别负责落实)", ([], ["市发展改革委", "市财政局"], [])),
    ("推进。(各县(市、区)政府、相关区政府负责落实)", ([], ["各县(市、区)政府", "相关区政府"], [])),
    ("推进。(责任单位：区府办、各部门，完成时限：全年)", ([], ["区府办", "各部门"], [])),   # several: none lead
    ("推进。(市财政局、市商务局等部门负责)", ([], ["市财政局", "市商务局"], [])),              # 等部门 adds no group
    # a page cut inside the bracket: complete fields and clauses only, never a completed fragment
    ("推进。〔牵头单位：市财政局、商务局；配合单位：市公安局、民政局，各县(区)人民", (["市财政局", "市商务局"], [], [])),
    ("推进。(市政务服务中心牵头,", (["市政务服务中心"], [], [])),
    ("推进。(市政务服务中心牵头，市公安局配", (["市政务服务中心"], [], [])),
    ("推进。(牵头单位：市发", ([], [], [])),
    ("推进。(牵头单位：市财政局。完成时间：2021年8月底", (["市财政局"], [], [])),
    ("推进。(市财政局", ([], [], [])),
]


def test_a_cut_bracket_is_not_completed_from_the_parent(rules):
    """1. below a 三、 whose text names an agency: a cut (牵头单位:市发 names nobody; the
    parent's agency is not taken either."""
    from calgen.extract.document import extract_text

    doc = extract_text("示范市人民政府办公室\n2023年3月1日\n一、保障措施\n市财政局负责统筹调度。\n"
                       "1.推进改革，形成经验。(牵头单位：市发", "p.txt", rules)
    assert [a.name for a in doc.tasks[-1].lead] == []


@pytest.mark.parametrize("text,expected", ROLE_CASES)
def test_roles(text, expected, reg):
    roles = parse_roles(text, reg)
    assert (list(roles.lead), list(roles.responsible), list(roles.support)) == tuple(map(list, expected))


# (A、B负责) and the plan's conventions: (text, first listed leads, the plan marks leads with 牵头)
CONVENTION_CASES = [
    ("推进。(市财政局、市商务局负责)", False, False, ([], ["市财政局", "市商务局"], [])),
    ("推进。(市财政局、市商务局负责)", False, True, (["市财政局", "市商务局"], [], [])),
    ("推进。(市财政局、市商务局负责)", True, False, (["市财政局"], ["市商务局"], [])),
    ("推进。(市财政局负责)", False, False, (["市财政局"], [], [])),                      # one unit answers alone
    ("推进。(市财政局负责)\n完善。(市商务局负责)", False, False, ([], ["市财政局", "市商务局"], [])),   # pooled
    ("推进。(市财政局牵头，市商务局负责)", False, False, (["市财政局"], ["市商务局"], [])),
    ("推进。(工业和信息化部、发展改革委等负责。列第一位者为牵头单位，下同)", False, False,
     (["工业和信息化部"], ["发展改革委"], [])),
]


@pytest.mark.parametrize("text,first,marked,expected", CONVENTION_CASES)
def test_several_units_responsible_by_the_plans_convention(text, first, marked, expected, reg):
    roles = parse_roles(text, reg, first_is_lead=first, sole_leads=marked)
    assert (list(roles.lead), list(roles.responsible), list(roles.support)) == tuple(map(list, expected))


@pytest.mark.parametrize("text,marked", [
    ("一、推进。(A局牵头，B局配合)\n二、完善。(C局牵头)\n三、落实。(D局、E局负责)", True),
    ("一、推进。(A局、B局负责)\n二、完善。(C局负责)\n三、落实。(D局牵头)", False),
    ("一、推进。(A局、B局负责)\n二、完善。(C局、D局按职责分工负责)", False),
    ("一、推进。\n二、完善。", False),
])
def test_a_plan_marks_its_leads_with_qiantou_or_not(text, marked):
    from calgen.extract.agencies import marks_leads

    assert marks_leads(text) is marked


@pytest.mark.parametrize("text,stated", [
    ("（A、B负责。列第一位者为牵头单位，下同）", True), ("排在第一位的部门为牵头部门", True),
    ("第一个为牵头单位", True), ("列第一的为牵头责任处室", True), ("第一季度完成", False),
])
def test_stated_first_is_lead(text, stated, reg):
    from calgen.extract.agencies import states_first_is_lead

    assert states_first_is_lead(text, reg) is stated


def test_first_listed_is_lead_only_when_the_notice_says_so(reg):
    text = "推进。\n责任单位：市财政局、市商务局"
    assert parse_roles(text, reg).lead == ()
    assert parse_roles(text, reg, first_is_lead=True).lead == ("市财政局",)


@pytest.mark.parametrize("text,names", [
    ("省科技厅、财政厅", ["省科技厅", "省财政厅"]),
    ("市住房城乡建设局、自然资源局", ["市住房城乡建设局", "市自然资源局"]),
    ("市市场监管局（知识产权局）、发展改革委", ["市市场监管局(知识产权局)", "市发展改革委"]),
    ("省政府办公厅和省市场监管局", ["省政府办公厅", "省市场监管局"]),
    ("海关总署广东分署和省有关部门", ["海关总署广东分署", "省有关部门"]),
])
def test_split_names(text, names, rules):
    from calgen.read.clean import clean_text

    assert split_names(clean_text(text, rules.simplifier)[0], rules.registry) == names


@pytest.mark.parametrize("written,juris,name,kind", [
    ("省发展改革委", "广东省", "广东省发展和改革委员会", "department"),
    ("省財政廳", "广东省", None, None),                     # Traditional is normalised before lookup
    ("广东省财政厅", "广东省", "广东省财政厅", "department"),
    ("省财政厅", "东莞市", "广东省财政厅", "department"),   # 省 in a city plan is its province
    ("市市场监管局", "东莞市", "东莞市市场监督管理局", "department"),
    ("东莞海关", "东莞市", "东莞海关", "vertical"),
    ("人民银行广州分行", "广东省", "中国人民银行广州分行", "vertical"),
    ("省有关部门", "广东省", "广东省有关部门", "group"),
    ("各园区", "东莞市", "各园区", "group"),
    ("市城市综合管理执法局", "东莞市", "东莞市城市管理和综合执法局", "department"),
])
def test_resolve(written, juris, name, kind, rules):
    if name is None:
        from calgen.read.clean import clean_text

        written = clean_text(written, rules.simplifier)[0]
        name, kind = "广东省财政厅", "department"
    a = rules.registry.resolve(written, juris)
    assert (a.name, a.kind) == (name, kind)


def test_unknown_names_are_kept_with_their_own_slug(reg):
    a = reg.resolve("市新设协调办", "东莞市")
    assert (a.name, a.known, a.kind) == ("东莞市新设协调办", False, "unknown")
    assert a.slug == "dgs-xinshexietiaoban"     # read by words (协调 xietiao, not xiediao): stable, ASCII


def test_registry_is_valid(reg):
    slugs = [e.slug for e in reg.entries]
    assert len(slugs) == len(set(slugs))
    names = [e.name for e in reg.entries]
    assert len(names) == len(set(names))
    for e in reg.entries:
        assert e.source, f"{e.name} has no source"


def test_slug_is_ascii_and_url_safe():
    assert make_slug("广东省财政厅", "广东省") == "gds-caizhengting"
    assert make_slug("海关总署广东分署") == "haiguanzongshuguangdongfenshu"


@pytest.fixture
def extra(tmp_path):
    """An extra agencies file for one test, and the registry loaded with it."""
    def add(text):
        p = tmp_path / "extra.toml"
        p.write_text(text, encoding="utf-8")
        return p

    def load(path):
        return Rules.load(Settings(agency_files=(path,))).registry

    add.load = load
    return add


def test_duplicate_alias_is_refused(extra):
    p = extra('[[agency]]\nname = "某某局"\njurisdiction = "广东省"\nkind = "department"\n'
          'aliases = ["省财政厅"]\nsource = "test"\n')
    with pytest.raises(MappingError) as e:
        extra.load(p)
    assert str(e.value) == (f"{p}: alias '省财政厅' claimed by both 广东省财政厅 and 某某局 — "
                            "remove the duplicate alias")


def test_syntax_error_names_file_and_line(extra):
    p = extra('[[agency]]\nname = "某某局\n')
    with pytest.raises(MappingError) as e:
        extra.load(p)
    assert str(e.value).startswith(f"{p}:2: TOML syntax error")


def test_bad_pattern_is_refused(extra):
    p = extra('[patterns]\ngroup = ["各(("]\n')
    with pytest.raises(MappingError) as e:
        extra.load(p)
    assert str(e.value).startswith(f"{p}: [patterns] group: bad regular expression '各(('")


def test_extra_registry_adds_an_agency(extra):
    p = extra('[[agency]]\nname = "东莞市重大项目建设办公室"\njurisdiction = "东莞市"\n'
              'kind = "department"\naliases = ["市重大办"]\nsource = "test"\n')
    a = extra.load(p).resolve("市重大办", "东莞市")
    assert (a.name, a.known, a.slug) == ("东莞市重大项目建设办公室", True, "dgs-zhongdaxiangmujianshebangongshi")


# Notes inside an agency bracket are not agencies; what they say is applied (#17): one case each.
NOTE_CASES = [
    ("推进。(市财政局牵头，市税务局配合，下同)", (["市财政局"], [], ["市税务局"])),
    ("推进。(市财政局、市税务局按职责分工负责，不再做分工)", ([], ["市财政局", "市税务局"], [])),
    ("推进。(责任单位：市财政局、市税务局。第一责任单位为牵头单位，下同)", (["市财政局"], ["市税务局"], [])),
    ("推进。(市财政局牵头，以下任务均需各区政府配合)", (["市财政局"], [], ["各区政府"])),
    ("推进。(市财政局牵头，各单位要按照职责抓好落实，确保按期完成)", (["市财政局"], [], [])),
    ("推进。〔牵头单位：市财政局，责任单位：市税务局、市商务局〕", (["市财政局"], ["市税务局", "市商务局"], [])),
]


@pytest.mark.parametrize("text,expected", NOTE_CASES)
def test_bracket_notes_are_applied_not_listed(text, expected, reg):
    roles = parse_roles(text, reg)
    assert (list(roles.lead), list(roles.responsible), list(roles.support)) == tuple(map(list, expected))


def test_standing_notes_reach_the_following_tasks(rules):
    from calgen.extract.document import extract_text

    doc = extract_text("示范市人民政府办公室\n2023年3月1日\n一、任务\n(一)推进甲。(市财政局牵头，以下任务均需各区政府配合)\n"
                       "(二)推进乙。(市税务局牵头)\n", "p.txt", rules)
    assert [[a.name for a in t.support] for t in doc.tasks] == [["各区政府"], ["各区政府"]]


@pytest.mark.parametrize(("body", "expected"), [
    # 以下…配合: support in the following tasks of the section, not beyond it
    ("一、任务\n(一)推进甲。(市财政局牵头，以下任务均需各区政府配合)\n(二)推进乙。(市税务局牵头)\n"
     "二、保障\n(一)加强领导。(市政府办公室负责)\n",
     [(["市财政局"], ["各区政府"]), (["市税务局"], ["各区政府"]), (["市政府办公室"], [])]),
    # 以下均需X落实 (a note that adds no agency to its own bracket's list): X responsible
    ("一、任务\n(一)推进甲。(省生态环境厅指导，试点市政府负责落实。以下均需试点市政府落实，不再列出)\n"
     "(二)推进乙。(省工业和信息化厅、省商务厅负责)\n(三)推进丙。(省自然资源厅指导)\n二、步骤\n(一)确定试点。\n",
     [(["试点市政府"], []), (["示范省工业和信息化厅", "示范省商务厅", "试点市政府"], []), (["试点市政府"], []), ([], [])]),
])
def test_a_standing_note_holds_for_the_following_tasks_of_its_section(rules, body, expected):
    """#29: 以下 (below: the list being written) holds for the following tasks of the section it is
    stated in, in the role it names; 下同 of a first-is-lead rule holds for the rest (below)."""
    from calgen.extract.document import extract_text

    doc = extract_text("示范省人民政府办公厅\n2023年3月1日\n" + body, "p.txt", rules)
    got = [([a.name for a in t.lead + t.responsible], [a.name for a in t.support]) for t in doc.tasks]
    assert got == expected


@pytest.mark.parametrize(("body", "measures"), [
    # a task set as unnumbered paragraphs, each ending in its own bracket: one task, every paragraph
    ("(一)强化设计。建立以减量化为核心的指标体系。(省生态环境厅牵头，省统计局参与)\n"
     "优化管理体制机制，明确各环节的部门职责边界。(省生态环境厅指导)\n"
     "完善配套制度，2023年6月底前出台管理办法。(省司法厅负责)\n(二)推进乙。\n", 3),
    # after the bracket, prose with no bracket of its own is not the task's (chrome, a closing)
    ("(一)强化设计。建立以减量化为核心的指标体系。(省生态环境厅牵头)\n"
     "本页面由省政府办公厅主办，省大数据中心承办维护，欢迎提出意见。\n(二)推进乙。\n", 1),
])
def test_paragraphs_with_their_own_brackets_continue_a_task(rules, body, measures):
    from calgen.extract.document import extract_text

    doc = extract_text("示范省2023年工作要点\n一、任务\n" + body, "p.txt", rules)
    assert doc.tasks[0].text.count("(") == measures


def test_first_listed_is_lead_from_a_note_applies_to_later_tasks(rules):
    from calgen.extract.document import extract_text

    doc = extract_text("示范市人民政府办公室\n2023年3月1日\n一、任务\n"
                       "(一)推进甲。(责任单位：市财政局、市税务局。第一责任单位为牵头单位，下同)\n"
                       "(二)推进乙。(责任单位：市商务局、市统计局)\n", "p.txt", rules)
    assert [[a.name for a in t.lead] for t in doc.tasks] == [["示范市财政局"], ["示范市商务局"]]


_PLAIN_BRACKET = re.compile(r"[(〔\[]((?:[^()〔〕\[\]]|\([^()]*\)|〔[^〔〕]*〕)*)[)〕\]]")
_PLAIN_OPEN_TAIL = re.compile(r"[(〔\[]((?:[^()〔〕\[\]]|\([^()]*\))*)$")


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="()〔〕[]ab牵头，\n", max_size=20))
def test_possessive_bracket_patterns_match_as_the_plain_ones(text: str) -> None:
    """The bracket patterns never backtrack (faster); they find what the plain forms find."""
    assert [m.span(1) for m in agencies._BRACKET.finditer(text)] == [m.span(1) for m in _PLAIN_BRACKET.finditer(text)]
    a, b = agencies._OPEN_TAIL.search(text), _PLAIN_OPEN_TAIL.search(text)
    assert (a and a.span(1)) == (b and b.span(1))
    # and led by str.find (agencies._brackets, _unclosed_tail) they find the same again
    assert [m.span(1) for m in agencies._brackets(text)] == [m.span(1) for m in _PLAIN_BRACKET.finditer(text)]
    c = search_from(agencies._OPEN_TAIL, text, agencies._OPENERS)
    assert (c and c.span(1)) == (b and b.span(1))


def test_resolved_roles_are_memoised_per_registry_and_place(rules):
    roles = agencies.Roles(("市财政局",), ("市税务局",))
    first = agencies.resolve_roles(roles, "示范市", rules.registry)
    assert agencies.resolve_roles(roles, "示范市", rules.registry) is first
    assert dict(first) == agencies._resolve_roles(roles, "示范市", rules.registry)
    assert dict(agencies.resolve_roles(roles, None, rules.registry)) == agencies._resolve_roles(roles, None, rules.registry)


@pytest.mark.parametrize("plan,lead", [
    # a plan that assigns tasks in brackets: "X要…" in a task without one assigns it
    ("一、推进。(市财政局牵头)\n二、完善。市商务局要建立工作台账。", ["市商务局"]),
    # a 指导意见 that assigns nothing: the same sentence describes a duty
    ("一、推进改革，形成经验。\n二、完善。市商务局要建立工作台账。", []),
])
def test_duty_sentences_assign_only_where_the_plan_assigns(plan, lead, rules):
    from calgen.extract.document import extract_text

    doc = extract_text("2023年示范市工作要点\n" + plan, "p.txt", rules)
    assert [a.name for a in doc.tasks[-1].lead] == lead


@pytest.mark.parametrize("text,lead", [
    ("推进改革(市财政局负责)。", ["市财政局"]),
    ("分别负责院校外、院校内证书的实施(院校内由市教育局负责)，市人社局组织制定标准。", []),   # a remark
    ("制定清单(市司法局牵头，市财政局配合)，每季度通报(市财政局负责)。", ["市司法局"]),   # clauses, both read
])
def test_a_bracket_inside_a_sentence_is_a_remark(text, lead, reg):
    assert list(parse_roles(text, reg).lead) == lead


# #29 labels: any "X单位/部门/处室/科室：" reads by its role word; a label never stays in a name
LABEL_CASES = [
    ("推进。(承办单位：市税务局)", (["市税务局"], [], [])),                       # one unit answers alone
    ("推进。(承办单位：市税务局、市财政局)", ([], ["市税务局", "市财政局"], [])),
    ("推进。(牵头部门：市财政局；协同部门：市商务局)", (["市财政局"], [], ["市商务局"])),
    ("推进。(主责单位：市财政局)", (["市财政局"], [], [])),
    ("推进。(责任处室：办公室、财务处)", ([], ["办公室", "财务处"], [])),
    ("推进。\n责任单位：市财政局(牵头)、市商务局", (["市财政局"], ["市商务局"], [])),
    ("推进。(市财政局牵头 市商务局配合)", (["市财政局"], [], ["市商务局"])),
    ("推进。(牵头单位：市财政局，协作单位：市商务局)", (["市财政局"], [], ["市商务局"])),
    # (X指导): guidance is none of the three roles
    ("推进。(市委宣传部指导，市文化旅游局牵头，市财政局配合)", (["市文化旅游局"], [], ["市财政局"])),
    ("推进。(省文化和旅游厅业务指导；市文化旅游局牵头)", (["市文化旅游局"], [], [])),
]


@pytest.mark.parametrize("text,expected", LABEL_CASES)
def test_role_labels_of_the_genre(text, expected, reg):
    roles = parse_roles(text, reg)
    assert (list(roles.lead), list(roles.responsible), list(roles.support)) == tuple(map(list, expected))


def test_a_time_node_field_is_a_deadline(rules):
    from calgen.extract.document import extract_text

    doc = extract_text("2023年示范市工作要点\n一、推进系统建设。\n时间节点：2023年8月\n", "p.txt", rules)
    assert [(m.kind, m.nominal) for m in doc.tasks[0].milestones] == [("deadline", __import__("datetime").date(2023, 8, 31))]


@pytest.mark.parametrize("place, slug", [
    ("长沙市", "changshashi"), ("重庆市", "chongqingshi"), ("厦门市", "xiamenshi"), ("长春市", "changchunshi"),
    ("蚌埠市", "bengbushi"), ("六安市", "luanshi"), ("丽水市", "lishuishi"), ("番禺区", "panyuqu"),
])
def test_place_names_read_as_they_are_said(place, slug):
    """Region feeds and agency slugs read place names by word (pypinyin's phrase dictionary):
    长沙 is changsha, never zhangsha."""
    from calgen.publish.feeds.feednames import region_slug

    assert region_slug(place) == slug
    assert make_slug(place + "财政局", place).endswith("-caizhengju")


def test_a_stated_rule_holds_from_where_it_is_stated(rules):
    """#29: 列第一位者为牵头单位，下同 applies to its own task and those after it, not to the ones above."""
    from calgen.extract.document import extract_text

    text = ("示范市2023年工作要点\n一、重点任务\n"           # as calgen's reader leaves it (ASCII brackets)
            "(一)完善机制。(示范市财政局、示范市商务局负责)\n"
            "(二)推进改革。(示范市发展改革局、示范市司法局负责,列第一位者为牵头单位,下同)\n"
            "(三)优化服务。(示范市市场监管局、示范市税务局负责)\n")
    doc = extract_text(text, "p.txt", rules)
    got = [([a.name for a in t.lead], [a.name for a in t.responsible]) for t in doc.tasks]
    assert got[0] == ([], ["示范市财政局", "示范市商务局"])                   # above the rule: both responsible
    assert got[1] == (["示范市发展改革局"], ["示范市司法局"])
    assert got[2] == (["示范市市场监管局"], ["示范市税务局"])


@pytest.mark.parametrize(("line", "agency_line"), [
    ("市发改委牵头落实", True),
    ("市金融办、人民银行示范市中心支行、示范银监分局分别牵头落实", True),
    ("市财政局、市税务局负责", True),
    ("市商务局等有关部门按职责分工负责", True),
    ("各地区各部门要高度重视，认真负责", False),          # a sentence, not a role line
    ("加强组织领导，主要负责同志亲自抓", False),
    ("市政府办公室", False),                              # no role
    ("局和" * 55 + "x", False),                           # a run of 和: read in linear time, no agency
    ("市财政局和市税务局负责", True),
])
def test_a_line_of_agencies_and_their_role(line, agency_line):
    from calgen.extract.agencies import is_agency_line

    assert is_agency_line(line) == agency_line


def test_a_table_flattened_with_merged_cells_reads_each_role_line(rules):
    """#29: 目标 | 任务 | 主要内容 | 责任单位 flattened one cell per line, the task cell merged over
    several rows: each 主要内容 row is the task's text, each 责任单位 line its agencies."""
    from calgen.extract.document import extract_text

    text = ("示范市2017年政务公开工作要点实施方案\n目标\n任务\n主要内容\n责任单位\n一、以政务公开助力稳增长\n(一)加强预期引导\n"
            "围绕经济社会发展形势和宏观经济政策执行情况，通过新闻发布会等形式及时宣传解读。\n市发改委牵头落实\n"
            "围绕就业创业政策，加强政策信息公开，深入解读政策背景和主要内容。\n市人社局牵头落实\n"
            "围绕货币政策和信贷政策，加强金融政策信息公开，及时回应社会关切。\n"
            "市金融办、人民银行示范市中心支行、示范银监分局分别牵头落实\n(二)推进其他工作\n")
    doc = extract_text(text, "p.txt", rules)
    first = doc.tasks[0]
    assert [a.name for a in first.lead] == ["市发改委", "市人社局", "市金融办", "人民银行示范市中心支行", "示范银监分局"]
    assert first.text.count("围绕") == 3


@pytest.mark.parametrize(("text", "expected"), [
    # a plan that marks its leads with 牵头: (A、B负责) names leads …
    ("推进。(省各政务服务实施单位、各地级以上市政府负责)", (["省各政务服务实施单位", "各地级以上市政府"], [])),
    ("推进。(市财政局、市税务局负责)", (["市财政局", "市税务局"], [])),
    # … but every locality and department (the universal addressees) lead nothing
    ("推进。(各地区、各部门负责)", ([], ["各地区", "各部门"])),
    # a group at the end of a list lends no 区 to a name without a suffix
    ("推进。(民政部、中国残联等相关单位及各地区按职责分工负责)", ([], ["民政部", "中国残联", "相关单位", "各地区"])),
])
def test_collectives_in_a_plan_that_marks_its_leads(rules, text, expected):
    from calgen.extract.agencies import parse_roles

    roles = parse_roles(text, rules.registry, sole_leads=True)
    assert (list(roles.lead), list(roles.responsible)) == tuple(map(list, expected))


@pytest.mark.parametrize(("text", "expected"), [
    # a notice's own assignment sentence: 由A、B等X牵头…，Y配合
    ("部门自查。由所涉及的省政府办公厅、财政厅等省级主管部门(单位)牵头完成自查报告，其他相关部门(单位)配合，按时报送。",
     (["省政府办公厅", "省财政厅", "省级主管部门(单位)"], ["其他相关部门(单位)"])),
    ("由市发展改革委牵头制定实施方案，市财政局配合。", (["市发展改革委"], ["市财政局"])),
    # a way of working, not an assignment: nobody named
    ("由一家牵头部门统一受理、配合部门分头办理，实行一表申请。", ([], [])),
    ("由企业自主选择牵头单位，政府部门予以指导。", ([], [])),
])
def test_an_assignment_sentence_by_lead(rules, text, expected):
    """#29: 由…牵头 in a notice that has no agency brackets names the leads (and 配合 the support)."""
    from calgen.extract.agencies import parse_roles

    roles = parse_roles(text, rules.registry, inline=False)
    assert (list(roles.lead), list(roles.support)) == tuple(map(list, expected))


@pytest.mark.parametrize(("last", "lead"), [
    ("牵头单位：区商", []),                          # the page stops inside a name: nobody for certain
    ("牵头单位：区发改委、区商", ["区发改委"]),        # the whole names before the cut stay
    ("牵头单位：区商务委", ["区商务委"]),             # a whole name at the end of a complete text
    ("牵头单位：区商务委。", ["区商务委"]),
])
def test_a_role_field_cut_by_the_end_of_the_page(rules, last, lead):
    from calgen.extract.document import extract_text

    text = f"示范区2023年工作要点\n一、主要目标\n1.地区生产总值增长6%左右。\n牵头单位：区发改委\n2.社会消费品零售总额增长6%左右。\n{last}"
    doc = extract_text(text, "p.txt", rules)
    assert [a.name for a in doc.tasks[-1].lead] == lead


@pytest.mark.parametrize(("line", "expected"), [
    # the forms #29 tried as a new user would, read through the whole reader (clean_text first)
    ("(一)推进甲。（承办单位：市税务局）", (["市税务局"], [], [])),
    ("(一)推进乙。（牵头部门：市财政局；协同部门：市商务局）", (["市财政局"], [], ["市商务局"])),
    ("(一)推进丙。责任单位：市发改委（牵头）、市统计局", (["市发改委"], ["市统计局"], [])),
    ("(一)推进丙。\n责任单位：市发改委（牵头）、市统计局", (["市发改委"], ["市统计局"], [])),
    ("(一)推进丁。（市数据局牵头 市政务服务中心配合）", (["市数据局"], [], ["市政务服务中心"])),
    ("(一)推进丁。（市数据局牵头　市政务服务中心配合）", (["市数据局"], [], ["市政务服务中心"])),
    # a field inside a square bracket is that bracket's, read once
    ("(一)推进戊。[牵头单位：区卫健局；责任单位：各街办(新区)]", (["区卫健局"], ["各街办(新区)"], [])),
    # 责任 between the role and the unit; a person's label is no agency (a 重点工作责任分解)
    ("1﹒生产总值增长7%以上。\n牵头负责领导：张三。\n牵头责任单位：市发展改革委。\n协同责任单位：市财政局、市统计局等。",
     (["市发展改革委"], [], ["市财政局", "市统计局"])),
    # the division of work as a label with its clauses (a 政府工作报告 分工方案)
    ("1.生产总值增长6%以上。\n分管市领导：张三\n部门分工：市发展改革委牵头，各区、市有关部门配合。",
     (["市发展改革委"], [], ["各区", "市有关部门"])),
    # a bare 等 before a comma adds no one and stays out of the name
    ("1.生产总值增长5%。\n牵头单位：市发展改革委\n责任单位：市工业和信息化局、市商务局等，各区人民政府",
     (["市发展改革委"], ["市工业和信息化局", "市商务局", "各区人民政府"], [])),
])
def test_role_forms_through_the_whole_reader(rules, line, expected):
    from calgen.extract.document import extract_text
    from calgen.read.clean import clean_text

    doc = extract_text(clean_text("示范市2023年工作要点\n一、重点任务\n" + line + "\n", rules.simplifier)[0], "p.txt", rules)
    t = doc.tasks[0]
    assert ([a.name for a in t.lead], [a.name for a in t.responsible], [a.name for a in t.support]) == \
        tuple(map(list, expected))


def test_a_name_that_starts_with_the_plans_own_place_takes_no_shared_prefix(rules):
    """The list's shared 市 never doubles a place the name carries (a 示范市 plan's 示范公积金管理中心)."""
    from calgen.extract.document import extract_text

    text = ("示范市人民政府办公室关于印发工作要点的通知\n示范市2024年工作要点\n"
            "一、推进改革。〔牵头单位:市市场监管局;配合单位:市公安局、民政局,示范公积金管理中心,人民银行示范市分行〕\n")
    doc = extract_text(text, "p.txt", rules)
    assert [a.name for a in doc.tasks[0].support] == ["示范市公安局", "示范市民政局", "示范公积金管理中心", "人民银行示范市分行"]
