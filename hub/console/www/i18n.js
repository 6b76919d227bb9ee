// The console's words, Chinese first. Pages name them with data-i18n; code
// with t(). A key missing in English falls back to the Chinese.
const words = {
  zh: {
    title: '社区终端管理台', lang: 'English', actions: '操作',
    bundles: '内容版本', version: '版本', items: '条目', published_at: '发布时间', all_kiosks: '全部终端',
    rollback: '恢复此版本', rolled_back: '已恢复为新版本 {v}', err_expired: '该版本已过期', err_unknown_bundle: '没有这个版本', logout: '退出', signin: '登录', name: '账号', password: '密码',
    fleet: '终端状态', refresh: '刷新', kiosk: '终端', group: '分组', state: '在线', last: '最近心跳',
    mode: '模式', content: '内容版本', faults: '故障', online: '在线', offline: '离线', never: '从未',
    alert: '紧急通知', alert_title: '标题', alert_body: '内容', alert_minutes: '持续（分钟）',
    groups: '终端分组', alert_send: '发布紧急通知', alert_sent: '紧急通知已发布', withdraw: '撤回',
    withdrawn: '已撤回', until: '至',
    account: '修改密码', pw_current: '当前密码', pw_new: '新密码（至少10位）', pw_change: '修改',
    pw_changed: '密码已修改', changes: '操作记录', export_csv: '导出 CSV', export_json: '导出 JSON',
    summary: '共 {total} 台，{online} 台在线',
    err_bad_credentials: '账号或密码错误', err_locked: '错误次数过多，请稍后再试',
    err_not_signed_in: '请重新登录', err_csrf: '请求被拒绝（安全校验失败）', err_forbidden: '没有权限',
    err_rate_limited: '操作太频繁，请稍后再试', err_other: '出错了：',
    notices: '社区通知', category: '类别', cat_community: '社区', cat_government: '政务', days: '展示天数',
    pinned: '置顶', save_draft: '保存草稿', notice_state: '状态', author: '作者', edit: '编辑',
    approve: '审核通过', publish: '发布', st_draft: '草稿', st_approved: '已审核', st_published: '已发布',
    st_withdrawn: '已撤回', saved: '已保存', err_wrong_state: '当前状态不能这样操作',
    err_signer_unavailable: '签名服务不可用，请联系管理员',
    devices: '设备', dev_id: '终端编号', dev_community: '社区（可选）', dev_community_h: '社区',
    dev_enrol: '登记新终端', dev_token_warn: '终端令牌只显示这一次，请立即复制并配置到终端上。关闭后无法再次查看。',
    dev_copy: '复制令牌', dev_done: '我已保存，关闭', dev_copied: '已复制', dev_copy_by_hand: '无法自动复制，请手动复制选中的令牌',
    dev_status: '状态', dev_active: '正常', dev_revoked: '已吊销', dev_rotate: '更换令牌', dev_revoke: '吊销',
    dev_rotate_confirm: '为终端 {id} 更换令牌？旧令牌立即失效。', dev_revoke_confirm: '吊销终端 {id}？它将立即无法连接。',
    dev_revoked_ok: '已吊销', dev_exists: '这个终端编号已被使用', err_unknown_device: '没有这个终端',
    err_revoked: '该终端已被吊销',
    accounts: '账号管理', role: '角色', role_viewer: '查看', role_editor: '编辑', role_publisher: '发布',
    role_admin: '管理员', first_password: '初始密码（至少10位）', add_account: '添加账号', disable: '停用',
    enable: '启用', disabled: '已停用', err_exists: '账号已存在', err_self: '不能修改自己的角色或停用自己',
    screenshot: '截图', reload_content: '更新内容', restart: '重启', cmd_queued: '已发送，等待终端心跳…',
    help: '求助', help_pending: '{n} 条待处理', help_ack: '我来处理', help_acked: '已响应',
    playlists: '街道屏节目单', pl_name: '名称', pl_priority: '优先级（0-100，高者优先）', pl_priority_h: '优先级',
    pl_weekdays: '星期（不选为每天）', pl_windows: '时段（不填为全天；结束早于开始即跨过午夜）', pl_add_window: '添加时段',
    pl_from_date: '开始日期（可选）', pl_to_date: '结束日期（可选）', pl_items: '播放内容（按顺序）', pl_add_item: '添加内容',
    pl_schedule: '播放时间', pl_day: '单日播放表', pl_date: '日期（北京时间）', pl_with_drafts: '包括草稿', pl_show_day: '查看',
    pl_hour: '时', pl_plays: '播放', pl_changes: '切换时间', pl_from: '开始', pl_to: '结束', pl_remove: '删除',
    pl_content_id: '内容编号', pl_seconds: '秒', pl_every_day: '每天', pl_all_day: '全天', pl_nothing: '无节目单（轮播通知）',
    pl_day_of: '{kiosk}（{group}）{date} 星期{wd}', pl_left_out: '另有 {n} 个节目单超出终端上限（8 个）未计入', pl_unreadable: '{n} 个节目单无法读取，终端会跳过',
    wd1: '一', wd2: '二', wd3: '三', wd4: '四', wd5: '五', wd6: '六', wd7: '日',
    err_acknowledged: '已有同事响应', cmd_delivered: '终端已收到…', cmd_done_ok: '完成', cmd_done_fail: '失败：', shot_of: '终端画面',
    preview: '预览（终端实际画面）', preview_drawing: '正在用终端程序绘制各尺寸画面…',
    preview_fits: '所有屏幕尺寸和主题都能完整显示', preview_not_fit: '有画面显示不下：发布前请缩短标题或正文',
    preview_cell_bad: '显示不下', preview_alt: '终端画面预览：{size}，{theme}',
    theme_standard: '标准', theme_elder: '长辈模式', theme_contrast: '高对比',
    err_preview_unavailable: '预览未开启（请管理员设置 hub.ini [console] preview_kiosk）',
    err_busy: '其他预览正在绘制，请稍后再试', err_preview_timeout: '绘制超时，请稍后再试',
    err_preview_failed: '预览失败：终端程序无法绘制',
  },
  en: {
    title: 'Kiosk staff console', lang: '中文', actions: 'Actions',
    bundles: 'Content versions', version: 'Version', items: 'Items', published_at: 'Published', all_kiosks: 'all kiosks',
    rollback: 'Restore this one', rolled_back: 'Restored as version {v}', err_expired: 'That version has expired',
    err_unknown_bundle: 'No such version', logout: 'Sign out', signin: 'Sign in', name: 'Name',
    password: 'Password', fleet: 'Kiosks', refresh: 'Refresh', kiosk: 'Kiosk', group: 'Group',
    state: 'Online', last: 'Last heartbeat', mode: 'Mode', content: 'Content version', faults: 'Faults',
    online: 'online', offline: 'offline', never: 'never',
    alert: 'Emergency alert', alert_title: 'Title', alert_body: 'Text', alert_minutes: 'Lasts (minutes)',
    groups: 'Kiosk groups', alert_send: 'Send emergency alert', alert_sent: 'Emergency alert sent',
    withdraw: 'Withdraw', withdrawn: 'withdrawn', until: 'until',
    account: 'Change password', pw_current: 'Current password', pw_new: 'New password (10 or more)',
    pw_change: 'Change', pw_changed: 'Password changed', changes: 'Change log',
    export_csv: 'Export CSV', export_json: 'Export JSON', summary: '{online} of {total} online',
    err_bad_credentials: 'Wrong name or password', err_locked: 'Too many wrong passwords; try again later',
    err_not_signed_in: 'Please sign in again', err_csrf: 'Refused (security check failed)',
    err_forbidden: 'Not allowed', err_rate_limited: 'Too many requests; try again shortly',
    err_other: 'Something went wrong: ',
    notices: 'Notices', category: 'Category', cat_community: 'Community', cat_government: 'Government',
    days: 'Days shown', pinned: 'Pinned', save_draft: 'Save draft', notice_state: 'State', author: 'Author',
    edit: 'Edit', approve: 'Approve', publish: 'Publish', st_draft: 'draft', st_approved: 'approved',
    st_published: 'published', st_withdrawn: 'withdrawn', saved: 'Saved',
    err_wrong_state: 'Not possible in this state', err_signer_unavailable: 'The signer is unavailable; tell an admin',
    devices: 'Devices', dev_id: 'Kiosk id', dev_community: 'Community (optional)', dev_community_h: 'Community',
    dev_enrol: 'Enrol a kiosk', dev_token_warn: 'The kiosk token is shown this once: copy it now and set it on the kiosk. It cannot be shown again.',
    dev_copy: 'Copy token', dev_done: 'I have saved it, close', dev_copied: 'Copied', dev_copy_by_hand: 'Cannot copy automatically; copy the selected token by hand',
    dev_status: 'Status', dev_active: 'active', dev_revoked: 'revoked', dev_rotate: 'New token', dev_revoke: 'Revoke',
    dev_rotate_confirm: 'Give kiosk {id} a new token? The old one stops working at once.', dev_revoke_confirm: 'Revoke kiosk {id}? It can no longer connect.',
    dev_revoked_ok: 'Revoked', dev_exists: 'That kiosk id is taken', err_unknown_device: 'No such kiosk',
    err_revoked: 'That kiosk is revoked',
    accounts: 'Accounts', role: 'Role', role_viewer: 'viewer', role_editor: 'editor', role_publisher: 'publisher',
    role_admin: 'admin', first_password: 'First password (10 or more)', add_account: 'Add account',
    disable: 'Disable', enable: 'Enable', disabled: 'disabled', err_exists: 'That name is taken',
    err_self: 'You cannot change your own role or disable yourself',
    screenshot: 'Screenshot', reload_content: 'Reload content', restart: 'Restart',
    help: 'Help requests', help_pending: '{n} waiting', help_ack: 'I am coming', help_acked: 'answered',
    playlists: 'Street screen playlists', pl_name: 'Name', pl_priority: 'Priority (0-100, higher wins)', pl_priority_h: 'Priority',
    pl_weekdays: 'Weekdays (none: every day)', pl_windows: 'Time windows (none: all day; an end before the start runs past midnight)',
    pl_add_window: 'Add a window', pl_from_date: 'From date (optional)', pl_to_date: 'To date (optional)',
    pl_items: 'Items (in order)', pl_add_item: 'Add an item', pl_schedule: 'When', pl_day: 'Day view',
    pl_date: 'Date (China time)', pl_with_drafts: 'Include drafts', pl_show_day: 'Show', pl_hour: 'Hour', pl_plays: 'Plays',
    pl_changes: 'Changes', pl_from: 'From', pl_to: 'To', pl_remove: 'Remove', pl_content_id: 'Content id', pl_seconds: 'Seconds',
    pl_every_day: 'every day', pl_all_day: 'all day', pl_nothing: 'no playlist (notices carousel)',
    pl_day_of: '{kiosk} ({group}) {date}, {wd}', pl_left_out: '{n} more playlists are beyond a screen\'s 8 and not counted',
    pl_unreadable: '{n} playlists cannot be read; screens skip them',
    wd1: 'Mon', wd2: 'Tue', wd3: 'Wed', wd4: 'Thu', wd5: 'Fri', wd6: 'Sat', wd7: 'Sun',
    err_acknowledged: 'A colleague answered it already',
    cmd_queued: 'Sent; waiting for the kiosk\'s heartbeat…', cmd_delivered: 'The kiosk has it…',
    cmd_done_ok: 'Done', cmd_done_fail: 'Failed: ', shot_of: 'Screen of',
    preview: 'Preview (as the kiosk shows it)', preview_drawing: 'The kiosk program is drawing every screen size…',
    preview_fits: 'Fits every screen size and theme', preview_not_fit: 'Does not fit on some screens: shorten the title or text before publishing',
    preview_cell_bad: 'does not fit', preview_alt: 'Kiosk screen preview: {size}, {theme}',
    theme_standard: 'standard', theme_elder: 'large text', theme_contrast: 'high contrast',
    err_preview_unavailable: 'Previews are off (an admin sets hub.ini [console] preview_kiosk)',
    err_busy: 'Other previews are being drawn; try again in a moment', err_preview_timeout: 'Drawing took too long; try again',
    err_preview_failed: 'Preview failed: the kiosk program could not draw it',
  },
};

let lang = localStorage.getItem('console.lang') === 'en' ? 'en' : 'zh';

export function t(key, vars) {
  let s = words[lang][key] ?? words.zh[key] ?? key;
  for (const [k, v] of Object.entries(vars || {})) s = s.replace(`{${k}}`, String(v));
  return s;
}

export function applyWords(root = document) {
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
}

export function toggleLang() {
  lang = lang === 'zh' ? 'en' : 'zh';
  localStorage.setItem('console.lang', lang);
  applyWords();
}
