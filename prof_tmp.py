import cProfile, pstats, json, os, time
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yiwang.settings")
django.setup()
from django.test import Client
from yiwang.orgs.models import Region
p, _ = Region.objects.get_or_create(code="330000", defaults={"name_zh": "浙江省", "level": "province"})
Region.objects.get_or_create(code="330106", defaults={"name_zh": "西湖区", "level": "county", "parent": p})
c = Client()
def body(i):
    return json.dumps({"title": f"t{i} {time.time()}", "content": "这是一条足够长的测试留言内容。", "nature": "suggestion", "region": "330106", "mobile": f"139{i%10**8:08d}"})
for i in range(20): c.post("/api/v1/messages", body(i), content_type="application/json")
pr = cProfile.Profile(); pr.enable()
t=time.perf_counter()
for i in range(1000+int(time.time())%100000*10, 1000+int(time.time())%100000*10+200):
    r = c.post("/api/v1/messages", body(i), content_type="application/json", REMOTE_ADDR="127.0.0.1")
    assert r.status_code in (201,), r.content
pr.disable()
print("per request ms", (time.perf_counter()-t)/200*1000)
pstats.Stats(pr).sort_stats("cumulative").print_stats("yiwang|ratelimit|cache|middleware|ninja/operation|pydantic|json|codes|crypto|signals|transaction", 45)
