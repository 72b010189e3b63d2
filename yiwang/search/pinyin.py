"""Pinyin for search: index tokens of a Han title, and a Latin query read as pinyin.

Imports nothing from Django. Citizens type ``sfz`` for 身份证, ``gjj`` for 公积金 and
``shebaoka`` for 社保卡, and write 身分证 for 身份证 (a homophone). A kind indexed with pinyin
(the service catalogue) stores, for each Han run of a title,

* a **syllable bigram** per character: ``8`` + its syllable and the next one's (``8shenfen``,
  ``8fenzheng``), and for the last character its syllable alone (``8zheng``) — the same shape
  as the Han bigrams, so any 2+ syllable stretch is found by its bigrams and one syllable by a
  prefix;
* the **initials** of every stretch of 2 to 4 characters: ``9`` + letters (``9sfz``).

The marker digits keep these tokens apart from English words and from each other; the tokens
still hold only letters and digits (see ``tokens.py``). A heteronym takes the reading of its
phrase (pypinyin's phrase table: 银行 → yin hang).
"""

from __future__ import annotations

from functools import lru_cache
from itertools import pairwise
from typing import Any

from pypinyin import Style, lazy_pinyin

SYLLABLE_MARK = "8"
INITIALS_MARK = "9"
MAX_INITIALS = 4
# The syllables of Mandarin as pypinyin writes them without tones (ü as v), without the
# interjections m, n, ng, hm, hng that would cut any word into pieces.
SYLLABLES = frozenset(
    """a ai an ang ao ba bai ban bang bao bei ben beng bi bian biao bie bin bing bo bu ca cai
    can cang cao ce cen ceng cha chai chan chang chao che chen cheng chi chong chou chu chua
    chuai chuan chuang chui chun chuo ci cong cou cu cuan cui cun cuo da dai dan dang dao de
    dei deng di dia dian diao die ding diu dong dou du duan dui dun duo e ei en eng er fa fan
    fang fei fen feng fo fou fu ga gai gan gang gao ge gei gen geng gong gou gu gua guai guan
    guang gui gun guo ha hai han hang hao he hei hen heng hong hou hu hua huai huan huang hui
    hun huo ji jia jian jiang jiao jie jin jing jiong jiu ju juan jue jun ka kai kan kang kao
    ke ken keng kong kou ku kua kuai kuan kuang kui kun kuo la lai lan lang lao le lei leng li
    lia lian liang liao lie lin ling liu lo long lou lu luan lun luo lv lve ma mai man mang mao
    me mei men meng mi mian miao mie min ming miu mo mou mu na nai nan nang nao ne nei nen neng
    ni nian niang niao nie nin ning niu nong nou nu nuan nun nuo nv nve o ou pa pai pan pang pao
    pei pen peng pi pian piao pie pin ping po pou pu qi qia qian qiang qiao qie qin qing qiong
    qiu qu quan que qun ran rang rao re ren reng ri rong rou ru rua ruan rui run ruo sa sai san
    sang sao se sen seng sha shai shan shang shao she shei shen sheng shi shou shu shua shuai
    shuan shuang shui shun shuo si song sou su suan sui sun suo ta tai tan tang tao te teng ti
    tian tiao tie ting tong tou tu tuan tui tun tuo wa wai wan wang wei wen weng wo wu xi xia
    xian xiang xiao xie xin xing xiong xiu xu xuan xue xun ya yan yang yao ye yi yin ying yo
    yong you yu yuan yue yun za zai zan zang zao ze zei zen zeng zha zhai zhan zhang zhao zhe
    zhen zheng zhi zhong zhou zhu zhua zhuai zhuan zhuang zhui zhun zhuo zi zong zou zu zuan
    zui zun zuo""".split()  # noqa: SIM905 (a table reads better as text)
)
_LONGEST = max(map(len, SYLLABLES))
# How people type ü without a v: 略 lue, 女 nu is ambiguous and left alone.
_SPELLINGS = {"lue": "lve", "nue": "nve"}


def syllables(run: str) -> list[str]:
    """One toneless syllable per character of a Han run ("" where pypinyin has none)."""
    # Characters without a reading give "" each (pypinyin takes a list back; its stubs say str).
    unknown: Any = lambda chars: [""] * len(chars)  # noqa: E731
    readings = lazy_pinyin(run, style=Style.NORMAL, errors=unknown)
    if len(readings) != len(run):  # never seen; a run is Han characters only
        return [""] * len(run)
    return [r if r.isascii() and r.isalpha() else "" for r in readings]


def syllable_grams(readings: list[str]) -> list[str]:
    """``8`` + each syllable and the next, then the last syllable alone (as the Han bigrams)."""
    grams = [SYLLABLE_MARK + a + b for a, b in pairwise(readings) if a and b]
    if readings and readings[-1]:
        grams.append(SYLLABLE_MARK + readings[-1])
    return grams


def initials_grams(readings: list[str]) -> list[str]:
    """``9`` + the initials of every stretch of 2 to 4 characters with a reading."""
    letters = [r[0] if r else "" for r in readings]
    grams = []
    for start in range(len(letters)):
        for size in range(2, MAX_INITIALS + 1):
            stretch = letters[start : start + size]
            if len(stretch) == size and all(stretch):
                grams.append(INITIALS_MARK + "".join(stretch))
    return grams


def run_tokens(run: str) -> list[str]:
    """The pinyin tokens a Han run of a title adds to its document."""
    readings = syllables(run)
    return syllable_grams(readings) + initials_grams(readings)


@lru_cache(maxsize=4096)
def split(letters: str) -> tuple[tuple[str, ...], str] | None:
    """A Latin run read as pinyin: the fewest whole syllables, then an unfinished one.

    ``shebaoka`` → (("she", "bao", "ka"), ""); ``gongjij`` → (("gong", "ji"), "j"): the
    rest is a syllable being typed (a prefix of one). None without a whole first syllable.
    """
    text = letters.lower()
    for written, spelled in _SPELLINGS.items():
        text = text.replace(written, spelled)
    size = len(text)
    # best[i]: the fewest syllables covering text[:i]; the last cut before i.
    best: list[tuple[int, int] | None] = [None] * (size + 1)
    best[0] = (0, 0)
    for end in range(1, size + 1):
        for start in range(max(0, end - _LONGEST), end):
            if best[start] is not None and text[start:end] in SYLLABLES:
                count = best[start][0] + 1  # type: ignore[index]
                if best[end] is None or count < best[end][0]:  # type: ignore[index]
                    best[end] = (count, start)
    for covered in range(size, max(-1, size - _LONGEST), -1):
        rest = text[covered:]
        if covered and best[covered] is not None and (not rest or _is_syllable_prefix(rest)):
            return _cuts(text, best, covered), rest
    return None


MAX_SLIPS = 2  # chunks that are no syllable, in a loosely read run
_SLIP_COST = 5


@lru_cache(maxsize=4096)
def split_loosely(letters: str) -> tuple[str, ...] | None:
    """A Latin run with a typo read as pinyin: syllables, and at most two chunks of one to
    three letters that are no syllable where the typo is (``gonjijin`` → gon, ji, jin). The
    caller corrects the bigrams holding such a chunk against the index (``expand.py``)."""
    text = letters.lower()
    size = len(text)
    # best[i]: (cost, slips, start) of the cheapest reading of text[:i].
    best: list[tuple[int, int, int] | None] = [None] * (size + 1)
    best[0] = (0, 0, 0)
    for end in range(1, size + 1):
        for start in range(max(0, end - _LONGEST), end):
            before = best[start]
            if before is None:
                continue
            chunk = text[start:end]
            slip = chunk not in SYLLABLES
            if slip and len(chunk) > 3:
                continue
            cost = before[0] + (_SLIP_COST if slip else 1)
            if best[end] is None or cost < best[end][0]:  # type: ignore[index]
                best[end] = (cost, before[1] + slip, start)
    found = best[size]
    if found is None or found[1] > MAX_SLIPS or size < 4:
        return None
    parts: list[str] = []
    end = size
    while end:
        start = best[end][2]  # type: ignore[index]
        parts.append(text[start:end])
        end = start
    if found[1] * 3 > len(parts):  # mostly no syllables: not pinyin at all
        return None
    return tuple(reversed(parts))


def _cuts(text: str, best: list[tuple[int, int] | None], end: int) -> tuple[str, ...]:
    parts: list[str] = []
    while end:
        start = best[end][1]  # type: ignore[index]
        parts.append(text[start:end])
        end = start
    return tuple(reversed(parts))


@lru_cache(maxsize=1)
def _syllable_prefixes() -> frozenset[str]:
    return frozenset(s[:i] for s in SYLLABLES for i in range(1, len(s)))


def _is_syllable_prefix(text: str) -> bool:
    return text in _syllable_prefixes()
