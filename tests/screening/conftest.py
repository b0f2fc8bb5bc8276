import pytest

from zhichan.ipdata.models import Trademark

REGISTER = [
    # number, name, class, groups, status
    ("9000001", "康师傅", 30, ["3001", "3002"], "registered"),
    ("9000002", "雪碧", 32, ["3202"], "registered"),
    ("9000003", "老干妈", 30, ["3004"], "registered"),
    ("9000004", "APPLE", 9, ["0901"], "registered"),
    ("9000005", "华为", 9, ["0901", "0907"], "published"),
    ("9000006", "康师傅", 29, ["2901"], "pending"),
    ("9000007", "大白兔", 30, ["3006"], "invalid"),  # lapsed long ago (no expiry date)
    ("9000008", "稻香村", 30, ["3006"], "registered"),
    ("9000009", "冠生园", 30, ["3006"], "registered"),
]


@pytest.fixture
def register(db):
    return {
        number: Trademark.objects.create(
            registration_number=number, name=name, nice_class=nice, similar_groups=groups, status=status
        )
        for number, name, nice, groups, status in REGISTER
    }
