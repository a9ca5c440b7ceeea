import { createApp } from 'vue'
import { createRouter, createWebHashHistory } from 'vue-router'
import App from './App.vue'
import SearchView from './views/SearchView.vue'
import RecordView from './views/RecordView.vue'
import ReviewView from './views/ReviewView.vue'
import DashboardView from './views/DashboardView.vue'
import './style.css'

// Loaded when first visited: the public portal is its own chunk (a visitor needs none of the
// workbench), and so are the 查档申请, 浏览, 报表 and 鉴定销毁 pages.
const PortalView = () => import('./views/PortalView.vue')
const InquiriesView = () => import('./views/InquiriesView.vue')
const BrowseView = () => import('./views/BrowseView.vue')
const ReportsView = () => import('./views/ReportsView.vue')
const LifecycleView = () => import('./views/LifecycleView.vue')

const router = createRouter({
  // Hash routes: a deep link (#/records/J012-…) needs nothing from the server but index.html.
  history: createWebHashHistory(),
  routes: [
    { path: '/', redirect: '/search' },
    { path: '/search', name: 'search', component: SearchView, meta: { title: '检索' } },
    { path: '/browse', name: 'browse', component: BrowseView, meta: { title: '浏览' } },
    { path: '/reports', name: 'reports', component: ReportsView, meta: { title: '报表' } },
    { path: '/lifecycle/:tab?', name: 'lifecycle', component: LifecycleView, meta: { title: '鉴定销毁' } },
    { path: '/records/:reference', name: 'record', component: RecordView, meta: { title: '档案详情' } },
    { path: '/review/:id?', name: 'review', component: ReviewView, meta: { title: '待审核' } },
    { path: '/dashboard', name: 'dashboard', component: DashboardView, meta: { title: '统计' } },
    { path: '/inquiries/:number?', name: 'inquiries', component: InquiriesView, meta: { title: '查档申请' } },
    { path: '/portal', name: 'portal', component: PortalView, meta: { title: '办事指南与申请', portal: true } },
    { path: '/portal/status', name: 'portal-status', component: PortalView, meta: { title: '查询进度', portal: true } },
    { path: '/portal/verify', name: 'portal-verify', component: PortalView, meta: { title: '证明核验', portal: true } },
    { path: '/:rest(.*)*', redirect: '/search' },
  ],
})

router.afterEach((to) => {
  document.title = `${to.meta.title || '档案'} · ${to.meta.portal ? '社会保险档案查档服务' : '档案工作台'}`
})

createApp(App).use(router).mount('#app')
