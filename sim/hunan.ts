/**
 * The simulated province's fixed facts: Hunan's cities and districts with real-ish centres, how many
 * grids each gets, its landmarks (named grids with their area tier) and the place-name stems the
 * other grids are named from. Data only; sim/topology_gen.ts lays it out.
 */
import type { AreaTier } from '../config/topology.js';

export interface Landmark {
  name: string;
  tier: AreaTier;
}

export interface DistrictSpec {
  /** Two or three letters, the middle part of grid ids (`CS-FR-0001`). */
  code: string;
  name: string;
  center: readonly [number, number];
  /** Grids in the default province. */
  grids: number;
  /** Named first, in this order: landmark i is grid i + 1 of the district, whatever the seed. */
  landmarks: readonly Landmark[];
  /** Neighbourhood names the remaining grids are named from (`马王堆` + `小区`). */
  stems: readonly string[];
}

export interface CitySpec {
  id: string;
  name: string;
  /** In the default province (false: only in a large synthetic one). */
  inDefault: boolean;
  districts: readonly DistrictSpec[];
}

const key = (name: string): Landmark => ({ name, tier: 'key' });
const imp = (name: string): Landmark => ({ name, tier: 'important' });
const gen = (name: string): Landmark => ({ name, tier: 'general' });

/** Changsha's five urban districts: 426 grids, as in the Hunan Mobile case. */
const CHANGSHA: CitySpec = {
  id: 'CS',
  name: '长沙',
  inDefault: true,
  districts: [
    {
      code: 'FR',
      name: '芙蓉区',
      center: [113.03, 28.19],
      grids: 75,
      landmarks: [
        gen('曙光电子厂'),
        key('长沙火车站'),
        key('五一广场'),
        imp('湖南农业大学'),
        imp('芙蓉区政府'),
        imp('袁家岭商圈'),
        imp('芙蓉中路'),
        imp('隆平高科技园'),
        gen('马王堆'),
        gen('火星小区'),
        gen('朝阳村'),
        gen('东屯渡'),
        imp('远大路'),
      ],
      stems: [
        '马王堆',
        '火星',
        '韭菜园',
        '定王台',
        '湘湖',
        '东湖',
        '鸿铭',
        '文艺路',
        '朝阳',
        '八一路',
        '车站北路',
        '五里牌',
        '浏正街',
        '荷花园',
        '隆平',
        '东岸',
      ],
    },
    {
      code: 'TX',
      name: '天心区',
      center: [112.99, 28.11],
      grids: 80,
      landmarks: [
        key('黄兴南路步行街'),
        key('贺龙体育中心'),
        imp('长沙理工大学'),
        imp('中南林业科技大学'),
        imp('天心区政府'),
        imp('湘府西路'),
        imp('芙蓉南路'),
        gen('天心阁'),
        gen('坡子街'),
        gen('白沙井'),
        gen('新开铺'),
        gen('大托铺'),
      ],
      stems: [
        '南湖',
        '侯家塘',
        '金盆岭',
        '新开铺',
        '暮云',
        '大托',
        '书院路',
        '桂花坪',
        '青园',
        '赤岭',
        '裕南街',
        '城南路',
        '先锋',
        '黑石铺',
        '披塘',
      ],
    },
    {
      code: 'YL',
      name: '岳麓区',
      center: [112.93, 28.23],
      grids: 105,
      landmarks: [
        key('橘子洲'),
        key('岳麓山'),
        imp('湖南大学'),
        imp('中南大学'),
        imp('湖南师范大学'),
        imp('梅溪湖商务区'),
        imp('麓谷高新区'),
        imp('溁湾镇商圈'),
        imp('岳麓区政府'),
        imp('岳麓大道'),
        gen('长沙西站'),
        gen('洋湖湿地'),
        gen('含浦'),
      ],
      stems: [
        '望城坡',
        '观沙岭',
        '银盆岭',
        '后湖',
        '含浦',
        '坪塘',
        '莲花',
        '学士',
        '枫林',
        '荣湾',
        '桃花岭',
        '咸嘉湖',
        '望岳',
        '东方红',
        '雨敞坪',
        '岳华',
      ],
    },
    {
      code: 'KF',
      name: '开福区',
      center: [113.0, 28.25],
      grids: 80,
      landmarks: [
        imp('湖南省博物馆'),
        imp('北辰三角洲'),
        imp('马栏山视频文创园'),
        imp('开福区政府'),
        imp('三一大道'),
        gen('湘江世纪城'),
        gen('四方坪'),
        gen('伍家岭'),
        gen('月湖公园'),
        gen('开福寺'),
        gen('金霞物流园'),
      ],
      stems: [
        '四方坪',
        '伍家岭',
        '新河',
        '月湖',
        '捞刀河',
        '洪山',
        '沙坪',
        '湘雅路',
        '清水塘',
        '浏阳河',
        '东风路',
        '望麓园',
        '芙蓉北路',
        '青竹湖',
        '秀峰',
      ],
    },
    {
      code: 'YH',
      name: '雨花区',
      center: [113.04, 28.14],
      grids: 86,
      landmarks: [
        key('长沙南站'),
        imp('东塘商圈'),
        imp('高桥大市场'),
        imp('雨花区政府'),
        imp('万家丽路'),
        imp('劳动东路'),
        gen('圭塘河'),
        gen('左家塘'),
        gen('砂子塘'),
        gen('洞井'),
        gen('黎托'),
        gen('跳马'),
      ],
      stems: [
        '红星',
        '东塘',
        '雨花亭',
        '井湾子',
        '圭塘',
        '洞井',
        '黎托',
        '同升',
        '侯家塘',
        '左家塘',
        '香樟路',
        '砂子塘',
        '高桥',
        '树木岭',
        '环保',
      ],
    },
  ],
};

const city = (id: string, name: string, inDefault: boolean, districts: DistrictSpec[]): CitySpec => ({
  id,
  name,
  inDefault,
  districts,
});
const district = (
  code: string,
  name: string,
  center: [number, number],
  grids: number,
  landmarks: Landmark[],
  stems: string[],
): DistrictSpec => ({ code, name, center, grids, landmarks, stems });

const OTHER_CITIES: CitySpec[] = [
  city('XT', '湘潭', true, [
    district(
      'YH',
      '雨湖区',
      [112.9, 27.86],
      18,
      [key('湘潭站'), imp('湘潭大学'), imp('雨湖区政府')],
      ['九华', '韶山路', '窑湾', '城正街', '广场', '先锋', '昭潭', '护潭', '万楼', '楠竹山'],
    ),
    district(
      'YT',
      '岳塘区',
      [112.96, 27.85],
      18,
      [imp('湘潭市政府'), gen('湘钢'), imp('建设路口')],
      ['书院路', '东坪', '霞城', '宝塔', '荷塘', '五里堆', '下摄司', '板塘', '双马'],
    ),
  ]),
  city('ZZ', '株洲', true, [
    district(
      'TY',
      '天元区',
      [113.08, 27.83],
      12,
      [imp('株洲市政府'), imp('湖南工业大学')],
      ['栗雨', '泰山路', '嵩山路', '马家河', '群丰', '天台', '雷打石', '森林'],
    ),
    district(
      'LS',
      '芦淞区',
      [113.15, 27.79],
      12,
      [key('株洲站'), imp('芦淞服饰商圈')],
      ['建设', '贺家土', '龙泉', '枫溪', '董家塅', '白关', '五里墩', '姚家坝'],
    ),
    district(
      'HT',
      '荷塘区',
      [113.17, 27.86],
      12,
      [gen('金山工业园')],
      ['荷塘', '月塘', '宋家桥', '桂花', '茨菇塘', '仙庾', '明照', '新华'],
    ),
    district(
      'SF',
      '石峰区',
      [113.12, 27.88],
      12,
      [gen('中车株机厂')],
      ['田心', '响石岭', '清水塘', '铜塘湾', '井墈', '学林', '龙头铺', '云田'],
    ),
  ]),
  city('HY', '衡阳', true, [
    district(
      'ZH',
      '蒸湘区',
      [112.6, 26.9],
      11,
      [imp('蒸湘区政府'), key('衡阳火车站')],
      ['联合', '红湘', '蒸湘', '呆鹰岭', '雨母山', '华新', '立新', '长湖'],
    ),
    district(
      'SG',
      '石鼓区',
      [112.6, 26.94],
      11,
      [gen('老城'), imp('南华大学')],
      ['人民路', '青山', '合江', '五一', '潇湘', '角山', '松木', '黄沙湾'],
    ),
    district(
      'YF',
      '雁峰区',
      [112.61, 26.88],
      11,
      [imp('衡阳市政府'), gen('雁峰公园')],
      ['先锋', '天马山', '白沙洲', '黄茶岭', '金龙坪', '湘江', '岳屏', '雁城'],
    ),
    district(
      'ZU',
      '珠晖区',
      [112.66, 26.9],
      11,
      [key('衡阳东站')],
      ['东阳渡', '酃湖', '茶山坳', '和平', '冶金', '广东路', '苗圃', '衡州'],
    ),
  ]),
  city('YY', '岳阳', true, [
    district(
      'YL',
      '岳阳楼区',
      [113.12, 29.37],
      20,
      [key('岳阳楼'), key('岳阳东站'), imp('湖南理工学院'), imp('岳阳市政府')],
      ['南湖', '洞庭', '五里牌', '金鹗山', '奇家岭', '望岳路', '枫桥湖', '东茅岭', '求索', '郭镇'],
    ),
    district(
      'YX',
      '云溪区',
      [113.27, 29.47],
      6,
      [gen('云溪化工园')],
      ['长岭', '路口', '陆城', '永济', '文桥'],
    ),
    district(
      'JS',
      '君山区',
      [113.0, 29.46],
      6,
      [gen('君山岛')],
      ['柳林洲', '许市', '钱粮湖', '广兴洲', '良心堡'],
    ),
  ]),
  city('CD', '常德', true, [
    district(
      'WL',
      '武陵区',
      [111.7, 29.03],
      18,
      [key('常德站'), imp('湖南文理学院'), imp('常德市政府'), imp('步行街商圈')],
      ['穿紫河', '丹阳', '白马湖', '芙蓉', '府坪', '南坪', '启明', '长庚', '河洑'],
    ),
    district(
      'DC',
      '鼎城区',
      [111.68, 28.98],
      10,
      [gen('灌溪工业园')],
      ['武陵镇', '玉霞', '郭家铺', '斗姆湖', '石门桥', '灌溪', '草坪'],
    ),
  ]),
  city('CZ', '郴州', true, [
    district(
      'BH',
      '北湖区',
      [113.01, 25.79],
      12,
      [key('郴州西站'), imp('郴州市政府')],
      ['人民路', '燕泉', '北湖', '下湄桥', '骆仙', '华塘', '石盖塘', '安和'],
    ),
    district(
      'SX',
      '苏仙区',
      [113.04, 25.75],
      12,
      [imp('湘南学院'), gen('白鹿洞')],
      ['苏仙', '王仙岭', '观山洞', '南塔', '良田', '五里牌', '栖凤渡', '坳上'],
    ),
  ]),
  city('YI', '益阳', false, [
    district(
      'HS',
      '赫山区',
      [112.37, 28.57],
      30,
      [imp('益阳市政府'), key('益阳站')],
      ['会龙山', '金银山', '桃花仑', '龙光桥', '泉交河', '衡龙桥', '兰溪', '笔架山'],
    ),
    district(
      'ZY',
      '资阳区',
      [112.32, 28.6],
      20,
      [gen('长春工业园')],
      ['汽车路', '大码头', '新桥河', '张家塞', '沙头', '茈湖口', '迎风桥'],
    ),
  ]),
  city('YZ', '永州', false, [
    district(
      'LST',
      '冷水滩区',
      [111.6, 26.43],
      25,
      [key('永州站'), imp('永州市政府')],
      ['梅湾', '凤凰', '菱角塘', '肖家园', '曲河', '杨家桥', '普利桥'],
    ),
    district(
      'LL',
      '零陵区',
      [111.63, 26.22],
      20,
      [imp('湖南科技学院')],
      ['徐家井', '七里店', '南津渡', '朝阳', '接履桥', '石山脚'],
    ),
  ]),
  city('HH', '怀化', false, [
    district(
      'HC',
      '鹤城区',
      [109.99, 27.55],
      40,
      [key('怀化南站'), imp('怀化市政府'), imp('怀化学院')],
      ['城中', '迎丰', '红星', '坨院', '城北', '湖天', '太平桥', '河西', '盈口', '芦坪'],
    ),
  ]),
  city('LD', '娄底', false, [
    district(
      'LX',
      '娄星区',
      [112.0, 27.73],
      40,
      [key('娄底站'), imp('娄底市政府'), gen('涟钢')],
      ['乐坪', '花山', '大科', '长青', '黄泥塘', '涟滨', '石井', '万宝', '杉山', '茶园'],
    ),
  ]),
  city('SY', '邵阳', false, [
    district(
      'DX',
      '大祥区',
      [111.46, 27.23],
      15,
      [imp('邵阳市政府'), key('邵阳站')],
      ['城西', '城南', '红旗', '翠园', '板桥', '罗市', '蔡锷'],
    ),
    district(
      'SQ',
      '双清区',
      [111.49, 27.24],
      15,
      [imp('邵阳学院')],
      ['龙须塘', '汽车站', '东风路', '高崇山', '火车站', '桥头', '兴隆'],
    ),
    district(
      'BT',
      '北塔区',
      [111.45, 27.26],
      10,
      [gen('江北工业园')],
      ['新滩镇', '陈家桥', '田江', '茶元头', '状元洲'],
    ),
  ]),
  city('ZJ', '张家界', false, [
    district(
      'YD',
      '永定区',
      [110.48, 29.12],
      30,
      [key('张家界荷花机场'), key('天门山'), imp('张家界市政府')],
      ['大庸桥', '南庄坪', '崇文', '官黎坪', '西溪坪', '沙堤', '教场'],
    ),
  ]),
  city('XX', '湘西', false, [
    district(
      'JSS',
      '吉首市',
      [109.7, 28.26],
      30,
      [imp('吉首大学'), imp('湘西州政府'), key('吉首站')],
      ['乾州', '峒河', '镇溪', '石家冲', '马颈坳', '寨阳', '双塘'],
    ),
  ]),
];

export const PROVINCE: readonly CitySpec[] = [CHANGSHA, ...OTHER_CITIES];

/** Suffixes of generated grid names, by the kind of place and its usual area tier. */
export const PLACE_SUFFIXES: readonly {
  suffix: string;
  tier: AreaTier;
  weight: number;
  outskirts?: boolean;
}[] = [
  { suffix: '小区', tier: 'general', weight: 10 },
  { suffix: '花园', tier: 'general', weight: 7 },
  { suffix: '新村', tier: 'general', weight: 6 },
  { suffix: '家园', tier: 'general', weight: 5 },
  { suffix: '社区', tier: 'general', weight: 8 },
  { suffix: '公寓', tier: 'general', weight: 3 },
  { suffix: '中学', tier: 'general', weight: 2 },
  { suffix: '商业街', tier: 'important', weight: 2 },
  { suffix: '写字楼群', tier: 'important', weight: 1 },
  { suffix: '大道沿线', tier: 'important', weight: 1 },
  { suffix: '医院', tier: 'important', weight: 1 },
  { suffix: '市场', tier: 'general', weight: 3 },
  { suffix: '工业园', tier: 'general', weight: 3, outskirts: true },
  { suffix: '物流园', tier: 'general', weight: 2, outskirts: true },
  { suffix: '村', tier: 'general', weight: 6, outskirts: true },
  { suffix: '安置区', tier: 'general', weight: 2, outskirts: true },
];
